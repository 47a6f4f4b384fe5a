"""Fail when the virtualenv holds a distribution the dev lock does not pin exactly.

`pip install -c requirements-dev.lock` pins what the lock names, but a dependency added
to pyproject.toml without `make lock` would install unpinned: this catches that.
"""

from __future__ import annotations

import re
import sys
from importlib.metadata import distributions
from pathlib import Path


def _normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def main(lock_path: str) -> int:
    pinned: dict[str, str] = {}
    for line in Path(lock_path).read_text().splitlines():
        match = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;]+).*", line)
        if match:
            pinned[_normalize(match[1])] = match[2]
    problems = []
    for dist in distributions():
        name = _normalize(dist.metadata["Name"])
        if name in {"playroll", "pip", "setuptools", "wheel"}:
            continue
        if pinned.get(name) != dist.version:
            problems.append(f"{name}=={dist.version} (lock: {pinned.get(name, 'absent')})")
    if problems:
        print(f"{lock_path} is stale; run `make lock` and commit it:", file=sys.stderr)
        for problem in sorted(problems):
            print(f"  {problem}", file=sys.stderr)
        return 1
    print(f"{lock_path}: every installed distribution is pinned")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "requirements-dev.lock"))
