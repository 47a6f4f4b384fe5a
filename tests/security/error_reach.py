"""Which rule-failure codes a function can raise, read from the source (no mapping to keep).

The walk follows every reference a function's body makes to a function, class or
``DomainError`` constant of ``schema``, ``resolvers`` or ``services`` (a reference is
enough: a function passed as an argument may be called), and collects each code built into
a ``DomainError`` on the way, with the class that carries it (``DomainError`` itself, or a
subclass such as ``PadLocked`` that sets its own code).

It over-approximates on purpose, so a code can only be missed by a bug here, never by a
new call path; the one refinement is ``try``: a reference inside a ``try`` body whose
``except`` catches a code's carrier and does not re-raise it does not reach the caller
(``pins.issue`` re-raises what it does not retry; ``notifications.TooManyMessages`` is
caught by every sender).
"""

from __future__ import annotations

import ast
import builtins
import inspect
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from types import ModuleType
from typing import Any

from services.errors import DomainError

TRACKED = ("services.", "resolvers.", "schema.")

Code = tuple[type[DomainError], StrEnum]


@dataclass
class Node:
    """One function or class: the codes it builds and what it refers to."""

    codes: set[tuple[Code, frozenset[type]]] = field(default_factory=set)
    refs: set[tuple[object, frozenset[type]]] = field(default_factory=set)
    # Codes not given as an enum member: reported by the scan test.
    bad_codes: list[str] = field(default_factory=list)


def _tracked(obj: object) -> bool:
    module = getattr(obj, "__module__", None) or ""
    if not module.startswith(TRACKED):
        return False
    if inspect.isclass(obj):
        # strawberry types in schema/ only shape the answer; their field resolvers run
        # for queries, outside the mutation's outcome.
        return not module.startswith("schema.") or issubclass(obj, DomainError)
    return inspect.isfunction(obj)


def _resolve(expr: ast.expr, namespace: dict[str, Any]) -> object:
    """The object a name or dotted attribute chain stands for, or None."""
    if isinstance(expr, ast.Name):
        return namespace.get(expr.id, getattr(builtins, expr.id, None))
    if isinstance(expr, ast.Attribute):
        base = _resolve(expr.value, namespace)
        if isinstance(base, ModuleType) or (inspect.isclass(base) and _tracked(base)):
            return getattr(base, expr.attr, None)
    return None


def _caught(handler: ast.ExceptHandler, namespace: dict[str, Any]) -> frozenset[type]:
    """The classes this handler swallows: none when it re-raises what it caught."""
    for node in ast.walk(ast.Module(body=handler.body, type_ignores=[])):
        if isinstance(node, ast.Raise) and (
            node.exc is None or (isinstance(node.exc, ast.Name) and node.exc.id == handler.name)
        ):
            return frozenset()
    if handler.type is None:
        return frozenset({BaseException})
    kinds = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return frozenset(k for k in (_resolve(e, namespace) for e in kinds) if inspect.isclass(k))


class _Reader(ast.NodeVisitor):
    def __init__(self, owner: object, namespace: dict[str, Any]) -> None:
        self.owner = owner
        self.namespace = namespace
        self.node = Node()
        self.suppressed: frozenset[type] = frozenset()
        # Names bound in the enclosing functions: a parameter ``login`` is not the
        # module's ``login()``.
        self.local: list[set[str]] = []

    def _scoped(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> None:
        bound = {a.arg for a in ast.walk(node.args) if isinstance(a, ast.arg)}
        bound |= {
            n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
        }
        self.local.append(bound)
        self.generic_visit(node)
        self.local.pop()

    visit_FunctionDef = visit_AsyncFunctionDef = visit_Lambda = _scoped

    def visit_Try(self, node: ast.Try) -> None:
        outer = self.suppressed
        caught: frozenset[type] = frozenset()
        for handler in node.handlers:
            caught |= _caught(handler, self.namespace)
        self.suppressed = outer | caught
        for statement in node.body:
            self.visit(statement)
        self.suppressed = outer
        for handler in node.handlers:
            # Not the handler's type: naming an exception class to catch it raises nothing.
            for statement in handler.body:
                self.visit(statement)
        for statement in (*node.orelse, *node.finalbody):
            self.visit(statement)

    def visit_Call(self, node: ast.Call) -> None:
        carrier = self._carrier(node)
        if carrier is not None:
            self._code(carrier, node)
        self.generic_visit(node)

    def _carrier(self, call: ast.Call) -> type[DomainError] | None:
        if _resolve(call.func, self.namespace) is DomainError:
            return DomainError
        is_super_init = (
            isinstance(call.func, ast.Attribute)
            and call.func.attr == "__init__"
            and isinstance(call.func.value, ast.Call)
            and isinstance(call.func.value.func, ast.Name)
            and call.func.value.func.id == "super"
        )
        owner = self.owner
        if (
            is_super_init
            and inspect.isclass(owner)
            and issubclass(owner, DomainError)
            and owner is not DomainError
        ):
            return owner
        return None

    def _code(self, carrier: type[DomainError], call: ast.Call) -> None:
        arg = call.args[0] if call.args else None
        value = None
        if isinstance(arg, ast.Attribute):
            value = _resolve(arg, self.namespace)
        if isinstance(value, StrEnum) and type(value).__module__.startswith("services."):
            self.node.codes.add(((carrier, value), self.suppressed))
        else:
            where = getattr(self.owner, "__qualname__", self.owner)
            self.node.bad_codes.append(f"{where}: {ast.unparse(call)[:80]}")

    def visit_Name(self, node: ast.Name) -> None:
        if not any(node.id in bound for bound in self.local):
            self._refer(_resolve(node, self.namespace))

    def visit_Attribute(self, node: ast.Attribute) -> None:
        root = node.value
        while isinstance(root, ast.Attribute):
            root = root.value
        if isinstance(root, ast.Name) and any(root.id in bound for bound in self.local):
            self.generic_visit(node)
            return
        target = _resolve(node, self.namespace)
        if target is None or isinstance(target, ModuleType):
            self.generic_visit(node)
        else:
            self._refer(target)

    def _refer(self, target: object) -> None:
        if isinstance(target, DomainError):
            self.node.codes.add(((type(target), target.code), self.suppressed))
        elif _tracked(target) and target is not self.owner:
            self.node.refs.add((target, self.suppressed))


def read(obj: object) -> Node:
    """What one function or class builds and refers to."""
    target = inspect.unwrap(obj) if callable(obj) and not inspect.isclass(obj) else obj
    source = textwrap.dedent(inspect.getsource(target))  # type: ignore[arg-type]
    namespace = vars(sys.modules[target.__module__])
    reader = _Reader(obj, namespace)
    reader.visit(ast.parse(source))
    return reader.node


def reachable_codes(start: object) -> dict[Code, list[str]]:
    """Every code ``start`` can raise, each with one chain of names that reaches it."""
    nodes: dict[object, Node] = {}
    found: dict[Code, list[str]] = {}

    def name(obj: object) -> str:
        return f"{getattr(obj, '__module__', '?')}.{getattr(obj, '__qualname__', obj)}"

    # Depth-first with the suppressions met on the way; a (node, suppressed) pair is
    # walked once, which also ends cycles.
    seen: set[tuple[int, frozenset[type]]] = set()
    stack: list[tuple[object, frozenset[type], list[str]]] = [(start, frozenset(), [])]
    while stack:
        obj, suppressed, path = stack.pop()
        key = (id(obj), suppressed)
        if key in seen:
            continue
        seen.add(key)
        if id(obj) not in nodes:
            nodes[id(obj)] = read(obj)
        node = nodes[id(obj)]
        here = [*path, name(obj)]
        for (carrier, code), inner in node.codes:
            if not issubclass(carrier, tuple(suppressed | inner)):
                found.setdefault((carrier, code), here)
        for target, inner in node.refs:
            stack.append((target, suppressed | inner, here))
    return found


def service_modules() -> Iterator[ModuleType]:
    import services

    root = Path(services.__file__).parent
    for path in sorted(root.glob("*.py")):
        if path.stem != "__init__":
            __import__(f"services.{path.stem}")
            yield sys.modules[f"services.{path.stem}"]


def bad_codes(module: ModuleType) -> list[str]:
    """Every DomainError in the module built with something other than an enum member."""
    reader = _Reader(None, vars(module))
    tree = ast.parse(Path(module.__file__ or "").read_text())
    problems = []
    for statement in tree.body:
        owner = vars(module).get(statement.name) if isinstance(statement, ast.ClassDef) else None
        reader.owner = owner
        reader.visit(statement)
        problems += reader.node.bad_codes
        reader.node.bad_codes = []
    return problems
