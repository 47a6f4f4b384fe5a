"""PINs for the many adults of a roster import: issued together, unique in the agency's
PIN namespace (staff included), and each one found again by the PIN pad."""

from __future__ import annotations

import pytest

from auth import pins as pin_format
from models.people import FamilyAdult
from models.pins import PinCredential
from services import pins
from tests import factories as make
from tests.conftest import TEST_KEYRING
from tests.world import TEACHER_PIN, World


async def _adults(world: World, count: int) -> list[FamilyAdult]:
    family = await make.family(world.agency)
    return [
        await FamilyAdult.create(family=family, first_name=f"A{i}", last_name="B")
        for i in range(count)
    ]


async def test_many_adults_get_distinct_pins_the_pad_finds(world: World) -> None:
    world.agency.pin_length = 4
    await world.agency.save(update_fields=["pin_length"])
    adults = await _adults(world, 200)
    await pins.issue_many(TEST_KEYRING, world.agency, [a.id for a in adults])
    credentials = await PinCredential.filter(adult_id__in=[a.id for a in adults])
    revealed = {pins.reveal(TEST_KEYRING, c) for c in credentials}
    assert len(revealed) == 200
    assert all(len(p) == 4 and not pin_format.is_trivial(p) for p in revealed)
    for credential in credentials[:5]:
        found = await pins.find(
            TEST_KEYRING, world.agency.id, pins.reveal(TEST_KEYRING, credential)
        )
        assert found is not None
        assert found.adult_id == credential.adult_id


async def test_a_pin_taken_meanwhile_falls_back_to_one_by_one(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another request took the PIN between the check and the insert (simulated: the
    check sees nothing and the first PIN offered is the teacher's): the adults still get
    PINs, and the teacher keeps theirs."""
    adults = await _adults(world, 3)
    offered = iter([TEACHER_PIN])
    real = pin_format.generate_pin
    monkeypatch.setattr(pin_format, "generate_pin", lambda n=6: next(offered, None) or real(n))

    async def nothing_taken(*_: object) -> set[str]:
        return set()

    monkeypatch.setattr(pins, "_taken", nothing_taken)
    await pins.issue_many(TEST_KEYRING, world.agency, [a.id for a in adults])
    credentials = await PinCredential.filter(adult_id__in=[a.id for a in adults])
    assert len(credentials) == 3
    assert TEACHER_PIN not in {pins.reveal(TEST_KEYRING, c) for c in credentials}
    teacher = await pins.find(TEST_KEYRING, world.agency.id, TEACHER_PIN)
    assert teacher is not None
    assert teacher.staff_id == world.teacher.id
