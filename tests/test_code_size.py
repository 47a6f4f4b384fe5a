"""Size rules from the house style: no function over 60 lines, no module over ~400.

A long function hides its rules; splitting it into named steps (each with a one-line
docstring naming the rule) is what keeps a service readable. Modules get a little slack
over 400 so one added mutation does not fail the build; past 410, split the module.
Migrations are generated and left out.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("services", "resolvers", "schema", "server", "auth", "realtime", "jobs")
MAX_FUNCTION_LINES = 60
MAX_MODULE_LINES = 410


def _modules() -> Iterator[Path]:
    for package in PACKAGES:
        yield from sorted((ROOT / package).rglob("*.py"))


def _functions(tree: ast.AST) -> Iterator[ast.FunctionDef | ast.AsyncFunctionDef]:
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node


def _length(node: ast.stmt) -> int:
    # From the ``def`` line to the last line of the body; decorators do not count.
    assert node.end_lineno is not None
    return node.end_lineno - node.lineno + 1


def test_the_packages_exist() -> None:
    # A renamed package would otherwise leave the size tests checking nothing.
    assert all((ROOT / package / "__init__.py").is_file() for package in PACKAGES)


def test_no_function_is_over_60_lines() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({_length(node)} lines)"
        for path in _modules()
        for node in _functions(ast.parse(path.read_text(), str(path)))
        if _length(node) > MAX_FUNCTION_LINES
    ]
    assert offenders == [], "Split these into named steps:\n" + "\n".join(offenders)


def test_no_module_is_over_410_lines() -> None:
    offenders = [
        f"{path.relative_to(ROOT)} ({lines} lines)"
        for path in _modules()
        if (lines := len(path.read_text().splitlines())) > MAX_MODULE_LINES
    ]
    assert offenders == [], "Move a coherent part into its own module:\n" + "\n".join(offenders)
