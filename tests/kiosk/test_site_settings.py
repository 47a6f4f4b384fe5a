"""Site admins change their sites' pad and contactless settings; agency admins the PIN
length."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from models.audit import AuditEntry
from models.org import Agency, ContactlessMode, Site, StaffUser
from services import contactless
from services import pins as pin_service
from services.errors import DomainError
from tests import factories as make
from tests.conftest import TEST_KEYRING
from tests.graphql import GraphQLClient, Result
from tests.world import World

SETTINGS = """settings { staffRequiresPin allowPastDayEdits contactlessEnabled contactlessMode
  padLockFailures padLockWindowMinutes padLockMinutes siteDailyPinFailures }"""
UPDATE_SITE = (
    """
mutation($i: UpdateSiteSettingsInput!) {
  updateSiteSettings(input: $i) { site { id %s } errors { field code message } }
}
"""
    % SETTINGS
)
UPDATE_AGENCY = """
mutation($i: UpdateAgencySettingsInput!) {
  updateAgencySettings(input: $i) { pinLength warnings errors { field code message } }
}
"""
DEFAULTS = {
    "staffRequiresPin": False,
    "allowPastDayEdits": False,
    "contactlessEnabled": True,
    "contactlessMode": "DYNAMIC",
    "padLockFailures": 5,
    "padLockWindowMinutes": 5,
    "padLockMinutes": 5,
    "siteDailyPinFailures": 15,
}
STORED = (
    "staff_requires_pin",
    "allow_past_day_edits",
    "contactless_enabled",
    "contactless_mode",
    "contactless_version",
    "pad_lock_failures",
    "pad_lock_window_minutes",
    "pad_lock_minutes",
    "site_daily_pin_failures",
)


async def _site_admin(world: World) -> StaffUser:
    role = await make.role(world.agency, site_admin=True)
    return await make.staff(world.agency, role=role, sites=[world.site])


async def _stored(site: Site) -> dict[str, Any]:
    fresh = await Site.get(id=site.id)
    return {name: getattr(fresh, name) for name in STORED}


async def _update(gql: GraphQLClient, token: str | None, site: Any, **fields: Any) -> Result:
    return await gql.execute(UPDATE_SITE, {"i": {"siteId": str(site), **fields}}, token=token)


def _payload(result: Result, name: str) -> dict[str, Any]:
    assert result.errors == [], result
    assert result.data is not None
    payload: dict[str, Any] = result.data[name]
    return payload


async def test_a_site_admin_changes_only_the_settings_given(
    gql: GraphQLClient, world: World
) -> None:
    token = await make.token_for(await _site_admin(world))
    changes = {"staffRequiresPin": True, "contactlessMode": "STATIC", "padLockFailures": 8}
    payload = _payload(await _update(gql, token, world.site.id, **changes), "updateSiteSettings")
    assert payload["errors"] == []
    assert payload["site"] == {"id": str(world.site.id), "settings": {**DEFAULTS, **changes}}
    stored = await _stored(world.site)
    assert stored["staff_requires_pin"] is True
    assert stored["contactless_mode"] == ContactlessMode.STATIC
    assert stored["pad_lock_failures"] == 8
    assert stored["site_daily_pin_failures"] == 15
    assert stored["contactless_version"] == 1

    [entry] = await AuditEntry.filter(action="site.update_settings")
    assert (entry.target_type, entry.target_id) == ("site", str(world.site.id))
    assert entry.data == {
        "before": {
            "staff_requires_pin": False,
            "contactless_mode": "DYNAMIC",
            "pad_lock_failures": 5,
        },
        "after": {"staff_requires_pin": True, "contactless_mode": "STATIC", "pad_lock_failures": 8},
    }


async def test_out_of_range_values_are_reported_per_field_and_nothing_changes(
    gql: GraphQLClient, world: World
) -> None:
    token = await make.token_for(await _site_admin(world))
    before = await _stored(world.site)
    payload = _payload(
        await _update(
            gql,
            token,
            world.site.id,
            staffRequiresPin=True,
            padLockFailures=2,
            padLockWindowMinutes=61,
            padLockMinutes=0,
            siteDailyPinFailures=101,
            rotateStaticCode=True,
        ),
        "updateSiteSettings",
    )
    assert payload["site"] is None
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [
        ("padLockFailures", "OUT_OF_RANGE"),
        ("padLockWindowMinutes", "OUT_OF_RANGE"),
        ("padLockMinutes", "OUT_OF_RANGE"),
        ("siteDailyPinFailures", "OUT_OF_RANGE"),
    ]
    assert payload["errors"][0]["message"] == "Choose a number from 3 to 20."
    assert await _stored(world.site) == before
    assert await AuditEntry.filter(action="site.update_settings").count() == 0
    too_big = await _update(gql, token, world.site.id, padLockFailures=2**40)
    assert too_big.data is None
    assert await _stored(world.site) == before


async def test_the_bounds_themselves_are_accepted(gql: GraphQLClient, world: World) -> None:
    token = await make.token_for(world.admin)
    for low_or_high in ((3, 1, 1, 5), (20, 60, 60, 100)):
        failures, window, lock, daily = low_or_high
        payload = _payload(
            await _update(
                gql,
                token,
                world.site.id,
                padLockFailures=failures,
                padLockWindowMinutes=window,
                padLockMinutes=lock,
                siteDailyPinFailures=daily,
            ),
            "updateSiteSettings",
        )
        assert payload["errors"] == []
        stored = await _stored(world.site)
        assert (
            stored["pad_lock_failures"],
            stored["pad_lock_window_minutes"],
            stored["pad_lock_minutes"],
            stored["site_daily_pin_failures"],
        ) == low_or_high


async def test_rotating_the_static_code_moves_the_site_to_a_new_code_version(
    gql: GraphQLClient, world: World
) -> None:
    token = await make.token_for(await _site_admin(world))
    for _ in range(2):
        payload = _payload(
            await _update(gql, token, world.site.id, rotateStaticCode=True), "updateSiteSettings"
        )
        assert payload["errors"] == []
    assert (await _stored(world.site))["contactless_version"] == 3
    rotations = await AuditEntry.filter(action="site.update_settings").order_by("at")
    assert [r.data for r in rotations] == [
        {"before": {"contactless_version": 1}, "after": {"contactless_version": 2}},
        {"before": {"contactless_version": 2}, "after": {"contactless_version": 3}},
    ]
    # Setting what is already set changes nothing and records nothing.
    same = _payload(
        await _update(gql, token, world.site.id, padLockFailures=5), "updateSiteSettings"
    )
    assert same["errors"] == []
    assert await AuditEntry.filter(action="site.update_settings").count() == 2


async def test_a_rotated_static_code_is_refused_and_the_new_one_works(
    gql: GraphQLClient, world: World
) -> None:
    token = await make.token_for(await _site_admin(world))
    await _update(gql, token, world.site.id, contactlessMode="STATIC")
    secret, now = TEST_KEYRING, gql.clock.now()
    printed = contactless.current(secret, await Site.get(id=world.site.id), now)
    assert printed is not None
    await _update(gql, token, world.site.id, rotateStaticCode=True)
    site = await Site.get(id=world.site.id)
    with pytest.raises(DomainError) as refused:
        contactless.verify(secret, site, printed.token, now)
    assert refused.value.code == "INVALID_CONTACTLESS_CODE"
    reprinted = contactless.current(secret, site, now)
    assert reprinted is not None
    contactless.verify(secret, site, reprinted.token, now)


async def test_only_admins_of_the_site_change_its_settings(
    gql: GraphQLClient, world: World
) -> None:
    other_role = await make.role(world.agency, site_admin=True)
    other_site_admin = await make.staff(world.agency, role=other_role, sites=[world.other_site])
    paired = await gql.execute(
        "mutation($i: PairKioskInput!) { pairKiosk(input: $i) { deviceToken } }",
        {"i": {"siteId": str(world.site.id), "name": "Door"}},
        token=await make.token_for(world.admin),
    )
    kiosk = _payload(paired, "pairKiosk")["deviceToken"]
    before = await _stored(world.site)
    refusals: list[tuple[str | None, object, str]] = [
        (await make.token_for(world.teacher), world.site.id, "FORBIDDEN"),
        (await make.token_for(world.viewer), world.site.id, "FORBIDDEN"),
        (kiosk, world.site.id, "FORBIDDEN"),
        (None, world.site.id, "UNAUTHENTICATED"),
        (await make.token_for(other_site_admin), world.site.id, "NOT_FOUND"),
        (await make.token_for(world.foreign_admin), world.site.id, "NOT_FOUND"),
        (await make.token_for(await _site_admin(world)), world.foreign_site.id, "NOT_FOUND"),
        (await make.token_for(await _site_admin(world)), uuid.uuid4(), "NOT_FOUND"),
        (await make.token_for(await _site_admin(world)), "not-an-id", "NOT_FOUND"),
    ]
    for token, site_id, code in refusals:
        result = await _update(gql, token, site_id, staffRequiresPin=True, padLockFailures=9)
        assert result.codes == [code], (site_id, code)
        assert result.data is None
    assert await _stored(world.site) == before
    assert await AuditEntry.filter(action="site.update_settings").count() == 0

    # An agency admin runs every site of the agency.
    admin = await make.token_for(world.admin)
    payload = _payload(
        await _update(gql, admin, world.other_site.id, padLockFailures=9), "updateSiteSettings"
    )
    assert payload["site"]["settings"]["padLockFailures"] == 9


async def test_staff_who_see_a_site_read_its_settings_and_kiosks_do_not(
    gql: GraphQLClient, world: World
) -> None:
    result = await gql.execute(
        "{ sites { name %s } }" % SETTINGS, token=await make.token_for(world.viewer)
    )
    assert result.errors == []
    assert result.data == {"sites": [{"name": "Main Street", "settings": DEFAULTS}]}
    paired = await gql.execute(
        "mutation($i: PairKioskInput!) { pairKiosk(input: $i) { deviceToken } }",
        {"i": {"siteId": str(world.site.id), "name": "Door"}},
        token=await make.token_for(world.admin),
    )
    kiosk = _payload(paired, "pairKiosk")["deviceToken"]
    from_kiosk = await gql.execute("{ kiosk { site { name %s } } }" % SETTINGS, token=kiosk)
    assert from_kiosk.codes == ["FORBIDDEN"]
    assert from_kiosk.data == {"kiosk": {"site": {"name": "Main Street", "settings": None}}}


async def test_shorter_pins_come_with_a_warning(gql: GraphQLClient, world: World) -> None:
    token = await make.token_for(world.admin)
    for length, warned in ((4, True), (5, True), (6, False)):
        payload = _payload(
            await gql.execute(UPDATE_AGENCY, {"i": {"pinLength": length}}, token=token),
            "updateAgencySettings",
        )
        assert payload["errors"] == []
        assert payload["pinLength"] == length
        assert payload["warnings"] == ([pin_service.short_pin_warning(length)] if warned else [])
        assert (await Agency.get(id=world.agency.id)).pin_length == length
    changes = await AuditEntry.filter(action="agency.update_settings").order_by("at")
    assert [c.data for c in changes] == [
        {"before": {"pin_length": 6}, "after": {"pin_length": 4}},
        {"before": {"pin_length": 4}, "after": {"pin_length": 5}},
        {"before": {"pin_length": 5}, "after": {"pin_length": 6}},
    ]
    assert {c.target_id for c in changes} == {str(world.agency.id)}


async def test_only_4_5_or_6_digits_and_only_agency_admins(
    gql: GraphQLClient, world: World
) -> None:
    admin = await make.token_for(world.admin)
    for length in (0, 3, 7, -6, 10):
        payload = _payload(
            await gql.execute(UPDATE_AGENCY, {"i": {"pinLength": length}}, token=admin),
            "updateAgencySettings",
        )
        assert payload["pinLength"] is None
        assert [(e["field"], e["code"]) for e in payload["errors"]] == [
            ("pinLength", "INVALID_PIN_LENGTH")
        ]
    for token, code in (
        (await make.token_for(await _site_admin(world)), "FORBIDDEN"),
        (await make.token_for(world.teacher), "FORBIDDEN"),
        (None, "UNAUTHENTICATED"),
    ):
        result = await gql.execute(UPDATE_AGENCY, {"i": {"pinLength": 4}}, token=token)
        assert result.codes == [code]
    assert (await Agency.get(id=world.agency.id)).pin_length == 6
    assert await AuditEntry.filter(action="agency.update_settings").count() == 0
    # Another agency's admin changes only their own agency.
    foreign = await make.token_for(world.foreign_admin)
    await gql.execute(UPDATE_AGENCY, {"i": {"pinLength": 5}}, token=foreign)
    assert (await Agency.get(id=world.foreign_agency.id)).pin_length == 5
    assert (await Agency.get(id=world.agency.id)).pin_length == 6


async def test_a_new_length_applies_to_new_pins_and_existing_pins_keep_working(
    gql: GraphQLClient, world: World
) -> None:
    kid = await make.child(world.room)
    adult, old_pin = await make.adult_with_pin(await kid.family)
    admin = await make.token_for(world.admin)
    await gql.execute(UPDATE_AGENCY, {"i": {"pinLength": 4}}, token=admin)
    secret = TEST_KEYRING
    still = await pin_service.find(secret, world.agency.id, old_pin)
    assert still is not None
    assert str(still.adult_id) == str(adult.id)
    _, issued = await make.adult_with_pin(await kid.family)
    assert len(issued) == 4
    re_pinned = await gql.execute(
        "mutation($i: RePinInput!) { rePin(input: $i) { results { pin } } }",
        {"i": {"adultIds": [str(adult.id)]}},
        token=admin,
    )
    new_pin = _payload(re_pinned, "rePin")["results"][0]["pin"]
    assert len(new_pin) == 4
    assert len(old_pin) == 6


async def test_agency_admins_switch_verification_codes_for_submissions(
    gql: GraphQLClient, world: World
) -> None:
    query = """
    mutation($i: UpdateAgencySettingsInput!) {
      updateAgencySettings(input: $i) { pinLength submissionRequiresVerification errors { code } }
    }
    """
    on = {"i": {"submissionRequiresVerification": True}}
    refused = await gql.execute(query, on, token=await make.token_for(await _site_admin(world)))
    assert refused.codes == ["FORBIDDEN"]
    assert not (await Agency.get(id=world.agency.id)).submission_requires_verification

    result = await gql.execute(query, on, token=await make.token_for(world.admin))
    assert result.data == {
        "updateAgencySettings": {
            "pinLength": 6,
            "submissionRequiresVerification": True,
            "errors": [],
        }
    }
    assert (await Agency.get(id=world.agency.id)).submission_requires_verification
    audit = await AuditEntry.get(action="agency.update_settings")
    assert audit.data == {
        "before": {"submission_requires_verification": False},
        "after": {"submission_requires_verification": True},
    }
