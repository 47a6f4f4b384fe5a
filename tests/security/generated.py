"""Strategies for the generated input test: operations on every root field of
``schema.graphql``, as literals (hypothesis-graphql) and as hostile JSON variables."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import graphql
from hypothesis import strategies as st
from hypothesis_graphql import Mode, mutations, nodes, queries

SCHEMA = graphql.build_schema((Path(__file__).resolve().parents[2] / "schema.graphql").read_text())

Json = Any


@dataclass(frozen=True)
class Operation:
    field: str
    query: str
    variables: dict[str, Json] | None = None


def root_fields() -> list[tuple[str, str, bool]]:
    """(operation kind, field name, takes arguments) for every Query and Mutation field."""
    found: list[tuple[str, str, bool]] = []
    for kind, root in (("query", SCHEMA.query_type), ("mutation", SCHEMA.mutation_type)):
        assert root is not None
        found.extend((kind, name, bool(field.args)) for name, field in root.fields.items())
    return found


# --- hostile values ------------------------------------------------------------------------

ODD_STRINGS = [
    "",
    " ",
    "\ud800",
    "a\udfffb",
    "\x00",
    "a\x01b",
    "\x1b[2J",
    "\u202eevil",
    "\ufeff",
    "\U0001f4a5" * 50,
    "' OR 1=1 --",
    "%s%n%x",
    "../../etc/passwd",
    "<script>alert(1)</script>",
    "line\nbreak\ttab",
    "null",
    "-1",
    "9" * 400,
    "x" * 100_000,
]
EXTREME_NUMBERS: list[Json] = [
    0,
    -1,
    2**31 - 1,
    2**31,
    -(2**31) - 1,
    2**53 + 1,
    10**30,
    -(10**300),
    1.5,
    1e308,
    -1e308,
    5e-324,
]
EDGE_DAYS = [
    "0001-01-01",
    "1899-12-31",
    "1900-01-01",
    "2024-02-29",
    "2024-02-30",
    "2999-12-31",
    "3000-01-01",
    "9999-12-31",
    "2024-13-01",
    "20240101",
]
EDGE_TIMES = [
    "0001-01-01T00:00:00+05:00",
    "0001-01-01T00:00:00Z",
    "9999-12-31T23:59:59-05:00",
    "9999-12-31T23:59:59.999999+14:00",
    "2024-03-10T02:30:00-06:00",
    "2024-01-01T10:00:00",
    "2024-01-01T24:00:00Z",
    "1900-01-01T00:00:00+23:59",
    "2999-12-31T23:59:59-23:59",
    "yesterday",
]

any_text = st.text(st.characters(codec=None), max_size=40)
wrong_types: st.SearchStrategy[Json] = st.one_of(
    st.none(),
    st.booleans(),
    st.sampled_from(EXTREME_NUMBERS),
    st.sampled_from(ODD_STRINGS),
    st.just([]),
    st.just({}),
    st.just({"__proto__": {"x": 1}}),
)


def _dates() -> st.SearchStrategy[str]:
    edges = st.sampled_from(EDGE_DAYS)
    return st.one_of(edges, edges, st.dates().map(lambda d: d.isoformat()))


def _clock_times() -> st.SearchStrategy[str]:
    """Wall-clock times (the Time scalar): edges, fractions, and nonsense."""
    edges = st.sampled_from(["00:00:00", "23:59:59.999999", "11:59", "24:00", "7pm", "-01:00"])
    return st.one_of(edges, st.times().map(lambda t: t.isoformat()))


def _times() -> st.SearchStrategy[str]:
    offsets = st.sampled_from(["Z", "+00:00", "+14:00", "-12:00", "+05:30", "-23:59", ""])
    drawn = st.builds(
        lambda moment, offset: moment.isoformat() + offset,
        st.datetimes(),
        offsets,
    )
    edges = st.sampled_from(EDGE_TIMES)
    return st.one_of(edges, edges, drawn)


def _uuids() -> st.SearchStrategy[str]:
    return st.one_of(
        st.uuids().map(str), st.sampled_from(["", "not-a-uuid", "0" * 32, "{" + "0" * 36 + "}"])
    )


TYPED_INTS = [0, -1, 1, 2**31 - 1, -(2**31), 100, 101]
PLAIN: dict[str, list[str]] = {
    "ID": [],
    "String": ["Ada", "482917", "ada@example.test", "+15555550123", "correct horse battery"],
    "Date": ["2024-06-03", "2021-05-17", "2030-01-01"],
    "DateTime": ["2024-06-03T09:00:00-05:00", "2024-06-03T16:30:00Z"],
    "Time": ["19:00:00", "23:59:00", "12:00:00"],
}


class Hostile:
    """Values for a variable of a given input type.

    ``typed``: values of the right type (nulls only where allowed), so most operations
    reach the resolvers with odd strings, extreme numbers and edge dates. Otherwise
    wrong types and nulls anywhere, so they exercise coercion.
    """

    def __init__(self, ids: dict[str, list[str]], *, typed: bool) -> None:
        # Real IDs by kind ("child", "site", ...): an argument named childIds gets children.
        self.ids = ids
        self.every_id = [i for kind in ids.values() for i in kind]
        self.typed = typed

    def _real_ids(self, argument: str) -> list[str]:
        kind = next((k for k in self.ids if argument.lower().startswith(k)), None)
        return self.ids[kind] if kind else self.every_id

    def scalar(self, name: str, argument: str = "") -> st.SearchStrategy[Json]:
        odd = self._odd(name)
        if not self.typed or name not in PLAIN:
            return odd
        # Mostly plain values, so that the one odd value in an input reaches the service
        # rather than losing to a validation error on another field.
        real = self._real_ids(argument) if name == "ID" else PLAIN[name]
        plain = st.sampled_from(real)
        return st.one_of(plain, plain, odd)

    def _odd(self, name: str) -> st.SearchStrategy[Json]:
        if name == "ID":
            return st.one_of(st.sampled_from(self.every_id), _uuids())
        if name == "String":
            return st.one_of(st.sampled_from(ODD_STRINGS), any_text)
        if name == "Int":
            extremes = TYPED_INTS if self.typed else EXTREME_NUMBERS
            return st.one_of(st.sampled_from(extremes), st.integers(-10, 1000))
        if name == "Float":
            return st.one_of(st.sampled_from([0.0, 1e308, -1e308, 5e-324]), st.floats(-1e9, 1e9))
        if name == "Boolean":
            return st.booleans()
        if name == "Date":
            return _dates()
        if name == "DateTime":
            return _times()
        if name == "UUID":
            return _uuids()
        if name == "Time":
            return _clock_times()
        raise AssertionError(f"no strategy for scalar {name}")

    def value(
        self, type_: graphql.GraphQLInputType, argument: str = "", depth: int = 0
    ) -> st.SearchStrategy[Json]:
        nullable = not isinstance(type_, graphql.GraphQLNonNull)
        inner = type_.of_type if isinstance(type_, graphql.GraphQLNonNull) else type_
        well_formed = self._well_formed(inner, argument, depth)
        if self.typed:
            return st.one_of(well_formed, st.none()) if nullable else well_formed
        return st.one_of(well_formed, well_formed, st.none(), wrong_types)

    def _well_formed(self, type_: Any, argument: str, depth: int) -> st.SearchStrategy[Json]:
        if isinstance(type_, graphql.GraphQLScalarType):
            return self.scalar(type_.name, argument)
        if isinstance(type_, graphql.GraphQLEnumType):
            values = st.sampled_from(list(type_.values))
            return values if self.typed else st.one_of(values, st.just("NOT_A_VALUE"))
        if isinstance(type_, graphql.GraphQLList):
            item = self.value(type_.of_type, argument, depth + 1)
            many = st.lists(st.sampled_from(self._real_ids(argument)), min_size=101, max_size=101)
            lists = st.lists(item, max_size=3)
            return st.one_of(lists, lists, lists, many) if depth < 2 else st.just([])
        assert isinstance(type_, graphql.GraphQLInputObjectType)
        fields = {name: self.value(f.type, name, depth + 1) for name, f in type_.fields.items()}
        required = {n for n, f in type_.fields.items() if graphql.is_required_input_field(f)}
        optional = {n: s for n, s in fields.items() if n not in required}
        if not self.typed:
            optional["unknownField"] = st.just(1)
        return st.fixed_dictionaries(
            {n: s for n, s in fields.items() if n in required}, optional=optional
        )


def selection(type_: graphql.GraphQLOutputType, depth: int = 2) -> str:
    """Every leaf field without required arguments, objects ``depth`` levels down."""
    named = graphql.get_named_type(type_)
    if isinstance(named, graphql.GraphQLScalarType | graphql.GraphQLEnumType):
        return ""
    if isinstance(named, graphql.GraphQLUnionType):
        return "{ __typename %s }" % " ".join(
            f"... on {member.name} {selection(member, depth)}" for member in named.types
        )
    assert isinstance(named, graphql.GraphQLObjectType | graphql.GraphQLInterfaceType)
    parts = ["__typename"]
    for name, field in named.fields.items():
        if any(graphql.is_required_argument(a) for a in field.args.values()):
            continue
        leaf = graphql.is_leaf_type(graphql.get_named_type(field.type))
        if leaf:
            parts.append(name)
        elif depth > 0:
            parts.append(f"{name} {selection(field.type, depth - 1)}")
    return "{ %s }" % " ".join(parts)


def variables_query(kind: str, field_name: str) -> str:
    """The field with each argument passed as a variable, selecting every leaf."""
    root = SCHEMA.query_type if kind == "query" else SCHEMA.mutation_type
    assert root is not None
    field = root.fields[field_name]
    names = list(field.args)
    declared = ", ".join(f"${n}: {field.args[n].type}" for n in names)
    passed = ", ".join(f"{n}: ${n}" for n in names)
    return "%s%s { %s%s %s }" % (
        kind,
        f"({declared})" if names else "",
        field_name,
        f"({passed})" if names else "",
        selection(field.type),
    )


def with_variables(kind: str, field_name: str, hostile: Hostile) -> st.SearchStrategy[Operation]:
    root = SCHEMA.query_type if kind == "query" else SCHEMA.mutation_type
    assert root is not None
    args = root.fields[field_name].args
    query = variables_query(kind, field_name)
    values = st.fixed_dictionaries({n: hostile.value(a.type, n) for n, a in args.items()})
    return values.map(lambda v: Operation(field_name, query, v))


def as_literals(kind: str, field_name: str, hostile: Hostile, mode: Mode) -> st.SearchStrategy[Any]:
    scalars = {
        "ID": hostile.scalar("ID").filter(lambda v: isinstance(v, str)).map(nodes.String),
        "Date": _dates().map(nodes.String),
        "DateTime": _times().map(nodes.String),
        "UUID": _uuids().map(nodes.String),
        "Time": _clock_times().map(nodes.String),
    }
    build = queries if kind == "query" else mutations
    # Characters any codec can carry: lone surrogates cannot be written in a document.
    strategy = build(SCHEMA, fields=[field_name], custom_scalars=scalars, mode=mode, codec=None)
    return strategy.map(lambda q: Operation(field_name, q))


# --- one odd value at a time ---------------------------------------------------------------

ODD_LEAVES: dict[str, list[Json]] = {
    "String": ["\ud800", "a\x01b", "x" * 100_000],
    "Date": ["0001-01-01", "9999-12-31"],
    "DateTime": ["0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00"],
    "Int": [2**31 - 1, -(2**31)],
    "ID": ["", "not-a-uuid"],
    "Time": ["00:00:00", "23:59:59.999999"],
}


def _plain(type_: Any, argument: str, hostile: Hostile) -> Json:
    """A plain, well-typed value: every field given, the first real ID of its kind."""
    type_ = type_.of_type if isinstance(type_, graphql.GraphQLNonNull) else type_
    if isinstance(type_, graphql.GraphQLScalarType):
        if type_.name == "ID":
            return hostile._real_ids(argument)[0]
        defaults: dict[str, Json] = {"Int": 1, "Float": 1.0, "Boolean": False}
        if type_.name == "UUID":
            return "7b0c8ad4-4c43-4b5e-9a0c-0d6bb7a0e6f1"
        return PLAIN[type_.name][0] if type_.name in PLAIN else defaults[type_.name]
    if isinstance(type_, graphql.GraphQLEnumType):
        return next(iter(type_.values))
    if isinstance(type_, graphql.GraphQLList):
        return [_plain(type_.of_type, argument, hostile)]
    assert isinstance(type_, graphql.GraphQLInputObjectType)
    return {name: _plain(f.type, name, hostile) for name, f in type_.fields.items()}


def _leaves(type_: Any, path: tuple[str | int, ...]) -> list[tuple[tuple[str | int, ...], str]]:
    type_ = type_.of_type if isinstance(type_, graphql.GraphQLNonNull) else type_
    if isinstance(type_, graphql.GraphQLScalarType):
        return [(path, type_.name)]
    if isinstance(type_, graphql.GraphQLList):
        return _leaves(type_.of_type, (*path, 0))
    if isinstance(type_, graphql.GraphQLInputObjectType):
        return [leaf for n, f in type_.fields.items() for leaf in _leaves(f.type, (*path, n))]
    return []


def _replaced(value: Json, path: tuple[str | int, ...], odd: Json) -> Json:
    if not path:
        return odd
    copy = list(value) if isinstance(value, list) else dict(value)
    copy[path[0]] = _replaced(value[path[0]], path[1:], odd)  # type: ignore[index]
    return copy


def one_odd_leaf(kind: str, field_name: str, hostile: Hostile) -> list[Operation]:
    """Plain arguments but for one leaf, for each leaf and each odd value of its type."""
    query = variables_query(kind, field_name)
    root = SCHEMA.query_type if kind == "query" else SCHEMA.mutation_type
    assert root is not None
    args = root.fields[field_name].args
    plain = {n: _plain(a.type, n, hostile) for n, a in args.items()}
    operations = []
    for name, arg in args.items():
        for path, scalar_name in _leaves(arg.type, (name,)):
            for odd in ODD_LEAVES.get(scalar_name, []):
                variables = _replaced(plain, path, odd)
                operations.append(Operation(field_name, query, variables))
    return operations
