"""Choosing an adult's PIN (``pin_care.choose_pin``): what the demo seed uses to give a
guardian its published PIN, under the same scoping and rules as every other PIN care."""

from __future__ import annotations

import uuid

import pytest

from auth import sessions
from auth.principals import StaffPrincipal, is_staff
from models.audit import AuditEntry
from models.org import ModuleAccess, StaffUser
from models.people import Family
from services import pin_care, pins
from services.errors import DomainError, NotFound
from tests import factories as make
from tests.clock import FrozenClock
from tests.conftest import TEST_KEYRING
from tests.world import TEACHER_PIN, World

SECRET = TEST_KEYRING


async def _principal(user: StaffUser, clock: FrozenClock) -> StaffPrincipal:
    found = await sessions.resolve(await make.token_for(user), clock.now())
    assert found is not None
    assert is_staff(found)
    return found


async def _adult_at(world: World, *, foreign: bool = False) -> tuple[uuid.UUID, str]:
    room = world.foreign_room if foreign else world.room
    family = await Family.get(id=(await make.child(room)).family_id)
    adult, pin = await make.adult_with_pin(family)
    return adult.id, pin


async def test_an_admin_gives_an_adult_the_pin_they_choose(
    world: World, clock: FrozenClock
) -> None:
    adult_id, old_pin = await _adult_at(world)
    admin = await _principal(world.admin, clock)

    result = await pin_care.choose_pin(admin, adult_id, "314159", SECRET)

    assert result.status is pin_care.PinCareStatus.ISSUED
    found = await pins.find(SECRET, world.agency.id, "314159")
    assert found is not None
    assert found.adult_id == adult_id
    assert await pins.find(SECRET, world.agency.id, old_pin) is None
    entry = await AuditEntry.get(action="pin.choose")
    assert entry.target_id == str(adult_id)
    assert "314159" not in str(entry.data)


async def test_a_pin_held_by_anyone_in_the_agency_is_refused(
    world: World, clock: FrozenClock
) -> None:
    adult_id, old_pin = await _adult_at(world)
    admin = await _principal(world.admin, clock)

    with pytest.raises(DomainError) as refused:
        await pin_care.choose_pin(admin, adult_id, TEACHER_PIN, SECRET)

    assert refused.value.code is pins.PinErrorCode.PIN_TAKEN
    kept = await pins.find(SECRET, world.agency.id, old_pin)
    assert kept is not None
    assert kept.adult_id == adult_id
    assert not await AuditEntry.filter(action="pin.choose").exists()


async def test_a_pin_of_another_length_than_the_agency_is_refused(
    world: World, clock: FrozenClock
) -> None:
    adult_id, _ = await _adult_at(world)
    admin = await _principal(world.admin, clock)

    with pytest.raises(DomainError) as refused:
        await pin_care.choose_pin(admin, adult_id, "2718", SECRET)

    assert refused.value.code is pins.PinErrorCode.INVALID_PIN


async def test_view_only_staff_and_other_agencies_find_no_adult(
    world: World, clock: FrozenClock
) -> None:
    adult_id, _ = await _adult_at(world)
    foreign_adult_id, _ = await _adult_at(world, foreign=True)
    viewer = await _principal(world.students_viewer, clock)
    admin = await _principal(world.admin, clock)
    other_site_editor = await _principal(
        await make.staff(
            world.agency,
            role=await make.role(world.agency, students=ModuleAccess.EDIT),
            sites=[world.other_site],
        ),
        clock,
    )

    for caller, target in [
        (viewer, adult_id),
        (other_site_editor, adult_id),
        (admin, foreign_adult_id),
    ]:
        with pytest.raises(NotFound):
            await pin_care.choose_pin(caller, target, "314159", SECRET)
    assert await pins.find(SECRET, world.agency.id, "314159") is None
