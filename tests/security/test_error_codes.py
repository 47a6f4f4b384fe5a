"""Every code a mutation can raise is in its payload's error-code enum.

A code outside the payload's enum has no GraphQL value: the caller would get an internal
error instead of the rule's message (before this test, a ``KeyError``). Run before the
payload enums were built from the service enums, it failed on ``rePin``: re-issuing a PIN
goes through ``services.pins.store``, which raises ``PIN_TAKEN``, ``TRIVIAL_PIN`` and
``INVALID_PIN``, none of them in ``PinCareErrorCode``. (``PIN_UNREADABLE`` reaches no
mutation: ``revealPins`` reports it per adult as a status; the payload enum carries it
anyway, with the rest of ``services.pins``' codes.)

The codes a mutation can raise are read from the source (tests/security/error_reach.py),
so a new mutation or a new call path needs no entry here.
"""

from __future__ import annotations

from enum import StrEnum

import pytest
from graphql import GraphQLEnumType, GraphQLList, GraphQLNonNull, GraphQLObjectType
from strawberry.types.field import StrawberryField

from schema.errors import UnmappedErrorCode, payload_errors
from schema.root import build_schema
from services.errors import DomainError
from tests.security import error_reach

SCHEMA = build_schema()


def _unwrap(graphql_type: object) -> object:
    while isinstance(graphql_type, GraphQLNonNull | GraphQLList):
        graphql_type = graphql_type.of_type
    return graphql_type


def _mutations() -> dict[str, tuple[StrawberryField, set[str]]]:
    """Each mutation's strawberry field and the values of its payload's error-code enum."""
    mutation = SCHEMA._schema.mutation_type
    assert mutation is not None
    found = {}
    for name, graphql_field in mutation.fields.items():
        payload = _unwrap(graphql_field.type)
        assert isinstance(payload, GraphQLObjectType)
        values: set[str] = set()
        if "errors" in payload.fields:
            error = _unwrap(payload.fields["errors"].type)
            assert isinstance(error, GraphQLObjectType)
            code = _unwrap(error.fields["code"].type)
            assert isinstance(code, GraphQLEnumType)
            values = set(code.values)
        found[name] = (graphql_field.extensions["strawberry-definition"], values)
    return found


MUTATIONS = _mutations()


def _reach(name: str) -> dict[error_reach.Code, list[str]]:
    definition, _ = MUTATIONS[name]
    assert definition.base_resolver is not None
    return error_reach.reachable_codes(definition.base_resolver.wrapped_func)


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_payload_enum_holds_every_code_the_mutation_can_raise(name: str) -> None:
    _, values = MUTATIONS[name]
    missing = {
        str(code): " -> ".join(path)
        for (_, code), path in _reach(name).items()
        if code.value not in values
    }
    assert not missing, f"{name} can raise codes its payload cannot carry: {missing}"


def test_the_walk_sees_through_services_and_catches() -> None:
    """The walk is not vacuous: known deep codes are found, swallowed ones are not."""
    re_pin = {code.value for _, code in _reach("rePin")}
    assert {"PIN_TAKEN", "TRIVIAL_PIN", "INVALID_PIN", "PIN_SPACE_EXHAUSTED"} <= re_pin
    # pin_care._send catches TooManyMessages and reports it per adult.
    assert "TOO_MANY_MESSAGES" not in {code.value for _, code in _reach("sendPins")}
    kiosk_sign_in = {code.value for _, code in _reach("kioskSignIn")}
    assert {"PAD_LOCKED", "INVALID_PIN", "NOT_ALLOWED", "ALREADY_SIGNED_IN"} <= kiosk_sign_in
    assert {"CONTACTLESS_OFF", "NOT_ENROLLED"} <= {code.value for _, code in _reach("signIn")}


@pytest.mark.parametrize("module", list(error_reach.service_modules()), ids=lambda m: m.__name__)
def test_every_domain_error_is_built_from_an_enum_member(module: object) -> None:
    """No string literal or variable as a code: the walk above could not see it."""
    assert not error_reach.bad_codes(module)  # type: ignore[arg-type]


class _Code(StrEnum):
    KNOWN = "KNOWN"
    ELSEWHERE = "ELSEWHERE"


class _PayloadCode(StrEnum):
    KNOWN = "KNOWN"


def test_payload_errors_refuses_a_code_outside_the_payload_enum() -> None:
    """A code the payload cannot carry is a bug, raised (and masked), never a KeyError."""
    from dataclasses import dataclass

    from resolvers.outcome import Outcome

    @dataclass
    class Error:
        field: str | None
        message: str
        code: _PayloadCode

    known = Outcome[None](errors=[DomainError(_Code.KNOWN, "m", "f")])
    assert payload_errors(known, Error, _PayloadCode) == [Error("f", "m", _PayloadCode.KNOWN)]
    with pytest.raises(UnmappedErrorCode, match="ELSEWHERE"):
        payload_errors(Outcome(errors=[DomainError(_Code.ELSEWHERE, "m")]), Error, _PayloadCode)
