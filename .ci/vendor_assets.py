"""Copy the pinned browser assets of server/static/vendor/vendor.json from npm tarballs.

    python .ci/vendor_assets.py          # fetch with `npm pack`, verify, extract, write sums
    python .ci/vendor_assets.py --check  # the committed files match SHA256SUMS

Each tarball is checked against the registry's integrity (sha512) pinned in vendor.json
before anything is extracted; SHA256SUMS pins the extracted files, so a hand edit of a
vendored file fails the check (tests/web/test_assets.py runs it).
"""

from __future__ import annotations

import base64
import hashlib
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

VENDOR = Path(__file__).resolve().parent.parent / "server" / "static" / "vendor"
SUMS = VENDOR / "SHA256SUMS"


def _packages() -> list[dict[str, object]]:
    manifest: dict[str, list[dict[str, object]]] = json.loads((VENDOR / "vendor.json").read_text())
    return manifest["packages"]


def _target(package: dict[str, object], member: str) -> Path:
    return VENDOR / f"{package['name']}-{package['version']}" / Path(member).name


def _fetch(package: dict[str, object], into: Path) -> Path:
    spec = f"{package['name']}@{package['version']}"
    out = subprocess.run(
        ["npm", "pack", spec, "--silent", "--pack-destination", str(into)],
        check=True,
        capture_output=True,
        text=True,
    )
    tarball = into / out.stdout.strip().splitlines()[-1]
    algorithm, _, expected = str(package["integrity"]).partition("-")
    digest = base64.b64encode(hashlib.new(algorithm, tarball.read_bytes()).digest()).decode()
    if digest != expected:
        sys.exit(f"{spec}: tarball integrity {digest} != pinned {expected}")
    return tarball


def fetch() -> None:
    lines: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        for package in _packages():
            tarball = _fetch(package, Path(tmp))
            with tarfile.open(tarball) as archive:
                for member in package["files"]:  # type: ignore[attr-defined]
                    source = archive.extractfile(f"package/{member}")
                    assert source is not None, member
                    target = _target(package, member)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(source.read())
                    lines.append(f"{_sha256(target)}  {target.relative_to(VENDOR)}")
    SUMS.write_text("\n".join(sorted(lines, key=lambda line: line.split()[1])) + "\n")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def check() -> list[str]:
    """Every pinned file present and unchanged; empty when all is well."""
    problems = []
    for line in SUMS.read_text().splitlines():
        digest, name = line.split()
        path = VENDOR / name
        if not path.is_file():
            problems.append(f"missing {name}")
        elif _sha256(path) != digest:
            problems.append(f"changed {name}")
    return problems


if __name__ == "__main__":
    if sys.argv[1:] == ["--check"]:
        found = check()
        print("\n".join(found) or "vendored assets match SHA256SUMS")
        sys.exit(1 if found else 0)
    fetch()
