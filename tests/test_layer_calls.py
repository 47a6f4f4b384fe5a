"""One hop from schema to service: what import-linter cannot see, because it reads imports.

schema/ imports services for their types (dataclasses, enums) and resolvers to call them
from GraphQL fields; it never calls a service, and only a field calls a resolver (not a
type's converter nor a payload builder). resolvers/ build no queries: row scoping and
querysets live in the services (DataLoaders aside).
"""

from __future__ import annotations

import ast
import importlib
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Turning errors and IDs into GraphQL's terms, and the context type: not domain work.
TRANSLATION_MODULES = frozenset({"resolvers.outcome", "resolvers.context"})
FIELD_DECORATORS = frozenset({"field", "mutation", "subscription"})
QUERYSET_METHODS = frozenset(
    {
        "filter",
        "exclude",
        "order_by",
        "select_related",
        "prefetch_related",
        "values_list",
        "get_or_none",
        "annotate",
        "distinct",
        "select_for_update",
        "first",
        "exists",
        "create",
        "bulk_create",
        "fetch_related",
    }
)


def _modules(folder: str) -> list[Path]:
    return sorted((ROOT / folder).glob("*.py"))


def _imported_names(tree: ast.Module) -> dict[str, str]:
    """Local name -> dotted target, for everything imported from services or resolvers."""
    names: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                names[alias.asname or alias.name.split(".")[0]] = alias.name
    return {k: v for k, v in names.items() if v.split(".")[0] in {"services", "resolvers"}}


def _dotted(node: ast.expr) -> list[str] | None:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    return [node.id, *reversed(parts)]


def _resolve(dotted: str) -> tuple[str, object]:
    """The module the target lives in and the object itself."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            module = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        target: object = module
        for attr in parts[cut:]:
            target = getattr(target, attr)
        owner = getattr(target, "__module__", None) or module.__name__
        return str(owner), target
    raise AssertionError(f"cannot resolve {dotted}")


def _is_field(node: ast.AsyncFunctionDef | ast.FunctionDef) -> bool:
    for decorator in node.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if isinstance(target, ast.Attribute) and target.attr in FIELD_DECORATORS:
            return True
    return False


def _calls(tree: ast.Module) -> Iterator[tuple[ast.Call, bool]]:
    """Each call, and whether it sits inside a strawberry field/mutation/subscription."""

    def walk(node: ast.AST, in_field: bool) -> Iterator[tuple[ast.Call, bool]]:
        for child in ast.iter_child_nodes(node):
            inside = in_field
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                inside = _is_field(child)
            if isinstance(child, ast.Call):
                yield child, inside
            yield from walk(child, inside)

    yield from walk(tree, False)


def _schema_violations(source: str, name: str) -> list[str]:
    tree = ast.parse(source)
    imported = _imported_names(tree)
    found: list[str] = []
    for call, in_field in _calls(tree):
        dotted = _dotted(call.func)
        if dotted is None or dotted[0] not in imported:
            continue
        owner, target = _resolve(".".join([imported[dotted[0]], *dotted[1:]]))
        if isinstance(target, type):
            continue  # building a service's dataclass or enum is using its types
        where = f"{name}:{call.lineno} {'.'.join(dotted)}"
        if owner.startswith("services."):
            found.append(f"{where} calls a service")
        elif owner.startswith("resolvers.") and owner not in TRANSLATION_MODULES and not in_field:
            found.append(f"{where} calls a resolver outside a GraphQL field")
    return found


@pytest.mark.parametrize("path", _modules("schema"), ids=lambda p: p.name)
def test_schema_calls_services_only_through_resolvers_from_fields(path: Path) -> None:
    assert _schema_violations(path.read_text(), path.name) == []


@pytest.mark.parametrize(
    "path", [p for p in _modules("resolvers") if p.name != "loaders.py"], ids=lambda p: p.name
)
def test_resolvers_build_no_queries(path: Path) -> None:
    tree = ast.parse(path.read_text())
    found = [
        f"{path.relative_to(ROOT)}:{node.lineno} .{node.func.attr}()"
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in QUERYSET_METHODS
    ]
    assert found == []


def test_the_scan_catches_service_and_resolver_calls_outside_fields() -> None:
    source = (
        "import strawberry\n"
        "from resolvers import pinpad as pinpad_resolvers\n"
        "from resolvers.outcome import object_id\n"
        "from services import contactless\n"
        "from services.people import ChildChanges\n"
        "class Kiosk:\n"
        "    def code(self, info):\n"
        "        return contactless.current(None, None, None)\n"
        "    @strawberry.field\n"
        "    async def state(self, info):\n"
        "        return await pinpad_resolvers.pad_state(info)\n"
        "    def changes(self):\n"
        "        return ChildChanges(first_name=object_id('x', 'Child'))\n"
        "async def payload(info):\n"
        "    return await pinpad_resolvers.pad_state(info)\n"
    )
    assert _schema_violations(source, "example.py") == [
        "example.py:8 contactless.current calls a service",
        "example.py:15 pinpad_resolvers.pad_state calls a resolver outside a GraphQL field",
    ]
