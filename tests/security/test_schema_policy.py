"""Deny by default: every mutation and every sensitive field declares who may use it."""

from __future__ import annotations

from pathlib import Path

import strawberry
from strawberry.types.base import StrawberryObjectDefinition

from server.cli import schema_sdl

# Fields whose values are private to staff with the right grant.
SENSITIVE_FIELDS = {
    ("Child", "dateOfBirth"),
    ("Child", "middleName"),
    ("Child", "stateSubsidyId"),
    ("Child", "familyAdults"),
    ("Classroom", "roster"),
    ("StaffViewer", "pin"),
    ("Site", "settings"),
    ("Kiosk", "padState"),
    ("Kiosk", "contactlessCode"),
}


def _object_types(schema: strawberry.Schema) -> dict[str, StrawberryObjectDefinition]:
    found: dict[str, StrawberryObjectDefinition] = {}
    for graphql_type in schema._schema.type_map.values():
        definition = getattr(graphql_type, "extensions", {}).get("strawberry-definition")
        if isinstance(definition, StrawberryObjectDefinition):
            found[graphql_type.name] = definition
    return found


def _declared(
    definition: StrawberryObjectDefinition, schema: strawberry.Schema
) -> dict[str, list[str]]:
    return {
        schema.config.name_converter.get_graphql_name(f): [p.__name__ for p in f.permission_classes]
        for f in definition.fields
    }


def test_every_root_field_declares_a_permission(schema: strawberry.Schema) -> None:
    types = _object_types(schema)
    for root in ("Query", "Mutation"):
        undeclared = [name for name, perms in _declared(types[root], schema).items() if not perms]
        assert undeclared == [], f"{root} fields without permission_classes: {undeclared}"


def test_every_sensitive_field_declares_a_permission(schema: strawberry.Schema) -> None:
    types = _object_types(schema)
    for type_name, field_name in SENSITIVE_FIELDS:
        perms = _declared(types[type_name], schema)[field_name]
        assert perms, f"{type_name}.{field_name} has no permission"


def test_attendance_mutations_require_attendance_edit(schema: strawberry.Schema) -> None:
    declared = _declared(_object_types(schema)["Mutation"], schema)
    assert declared["markAbsent"] == ["CanEditAttendance"]
    # Parents too, from their phone at the door (the service checks the site's code).
    for name in ("signIn", "signOut"):
        assert declared[name] == ["CanSignChildren"]


def test_inputs_carry_no_server_owned_fields() -> None:
    sdl = schema_sdl()
    inputs = [block for block in sdl.split("\n\n") if block.lstrip().startswith("input ")]
    forbidden = ("agencyId", "actorId", "operatorId", "createdAt", "recordedAt", "role:")
    for block in inputs:
        assert not any(word in block for word in forbidden), block


def test_exported_schema_is_current() -> None:
    exported = Path(__file__).resolve().parents[2] / "schema.graphql"
    assert exported.read_text() == schema_sdl(), "run `playroll export-schema`"
