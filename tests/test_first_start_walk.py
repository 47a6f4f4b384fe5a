"""Issue 12's "done when": a real agency from an empty database to a working kiosk.

``playroll create-agency`` (the CLI command, with the test's frozen clock), then nothing but
public GraphQL calls over HTTP to a real uvicorn server (the ``live`` fixture, on the same
frozen clock) on the suite's database: SQLite, or PostgreSQL in CI's second pass. What an
email would carry (the teacher's invitation) is read from the outbox, as its recipient
would; family PINs are read with ``revealPins``, the teacher's PIN from their profile.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from models.org import Agency
from server.cli import _parser
from tests.clock import FrozenClock
from tests.conftest import TEST_SECRET, LiveServer
from tests.staff.helpers import latest_token, token_of

BASE_URL = "https://playroll.example.org"
ADMIN_EMAIL = "director@sunnydays.example.org"
TEACHER_EMAIL = "tess@sunnydays.example.org"
ADMIN_PASSWORD = "director passphrase 1"
TEACHER_PASSWORD = "teacher passphrase 2"

SET_PASSWORD = """mutation($i: SetStaffPasswordInput!) {
  setStaffPassword(input: $i) { token errors { code } } }"""
LOGIN = "mutation($i: StaffLoginInput!) { staffLogin(input: $i) { token errors { code } } }"
CREATE_SITE = """mutation($i: CreateSiteInput!) {
  createSite(input: $i) { site { id } errors { code field } } }"""
CREATE_CLASSROOM = """mutation($i: CreateClassroomInput!) {
  createClassroom(input: $i) { classroom { id } errors { code field } } }"""
CREATE_ROLE = """mutation($i: CreateRoleInput!) {
  createRole(input: $i) { role { id } errors { code field } } }"""
CREATE_STAFF = """mutation($i: CreateStaffInput!) {
  createStaff(input: $i) { staff { id } errors { code field } } }"""
CREATE_CHILD = """mutation($i: CreateChildInput!) {
  createChild(input: $i) { child { id familyId } errors { code field } } }"""
ADD_GUARDIAN = """mutation($i: AddGuardianInput!) {
  addGuardian(input: $i) { adult { id } errors { code field } } }"""
ADD_CONTACT = """mutation($i: AddContactInput!) {
  addContact(input: $i) { adult { id } errors { code field } } }"""
ENROLL = """mutation($i: EnrollChildInput!) {
  enrollChild(input: $i) { enrollment { id } errors { code field } } }"""
SIGN_IN = """mutation($i: SignInInput!) {
  signIn(input: $i) { entries { status } errors { code field } } }"""
REVEAL = """mutation($i: RevealPinsInput!) {
  revealPins(input: $i) { results { adultId status pin } errors { code } } }"""
PAIR = """mutation($i: PairKioskInput!) {
  pairKiosk(input: $i) { deviceToken errors { code } } }"""
PAD = "adult { id } children { id status } padState { locked } errors { code }"
IDENTIFY = "mutation($i: KioskPinInput!) { kioskIdentify(input: $i) { %s } }" % PAD
SIGN_OUT = "mutation($i: KioskSignInput!) { kioskSignOut(input: $i) { %s } }" % PAD
LOCK = "mutation { kioskLock { padState { locked } errors { code } } }"
UNLOCK = """mutation($i: KioskPinInput!) {
  kioskUnlock(input: $i) { padState { locked } errors { code } } }"""
MY_PIN = "{ viewer { ... on StaffViewer { pin grants } } }"


class Api:
    """Public GraphQL over HTTP, as a browser or a tablet would call it."""

    def __init__(self, client: httpx.AsyncClient, url: str) -> None:
        self.client = client
        self.url = url

    async def call(
        self, query: str, variables: dict[str, Any] | None = None, token: str | None = None
    ) -> dict[str, Any]:
        headers = {"authorization": f"Bearer {token}"} if token else {}
        response = await self.client.post(
            self.url, json={"query": query, "variables": variables or {}}, headers=headers
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert "errors" not in body, body
        data: dict[str, Any] = body["data"]
        return data

    async def ok(self, name: str, query: str, i: dict[str, Any], token: str | None) -> Any:
        """A mutation that must succeed: its payload, without errors."""
        payload = (await self.call(query, {"i": i}, token))[name]
        assert payload["errors"] == [], (name, payload)
        return payload


def _create_agency(clock: FrozenClock) -> None:
    """``playroll create-agency`` as an operator types it, at the test's instant."""
    args = _parser().parse_args(
        [
            "create-agency",
            "--name",
            "Sunny Days",
            "--admin-email",
            ADMIN_EMAIL,
            "--timezone",
            "America/Chicago",
            "--admin-first-name",
            "Dana",
            "--admin-last-name",
            "Director",
        ]
    )
    assert args.func(args, clock) == 0


async def _first_start(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    database_url: str,
    clock: FrozenClock,
) -> str:
    """Run the command on the suite's database; the set-password link it prints."""
    monkeypatch.setenv("PLAYROLL_DATABASE_URL", database_url)
    monkeypatch.setenv("PLAYROLL_SECRET_KEY", TEST_SECRET)
    monkeypatch.setenv("PLAYROLL_BASE_URL", BASE_URL)
    # The command runs its own event loop, as from a terminal: in a thread of its own.
    await asyncio.get_running_loop().run_in_executor(None, _create_agency, clock)
    printed = capsys.readouterr().out
    links = [w for w in printed.split() if w.startswith(f"{BASE_URL}/staff/set-password?")]
    assert len(links) == 1, printed
    return links[0]


async def _set_up_the_agency(api: Api, admin: str, today: str) -> dict[str, str]:
    """The admin's part: a site, a classroom, a role, a teacher, a child and its family."""
    site = (await api.ok("createSite", CREATE_SITE, {
        "name": "Main Street", "timezone": "America/Chicago", "address": "1 Main St",
    }, admin))["site"]["id"]  # fmt: skip
    room = (await api.ok("createClassroom", CREATE_CLASSROOM, {
        "siteId": site, "name": "Butterflies",
    }, admin))["classroom"]["id"]  # fmt: skip
    role = (await api.ok("createRole", CREATE_ROLE, {
        "name": "Teacher", "attendance": "EDIT", "students": "VIEW",
    }, admin))["role"]["id"]  # fmt: skip
    teacher = (await api.ok("createStaff", CREATE_STAFF, {
        "firstName": "Tess", "lastName": "Teacher", "email": TEACHER_EMAIL,
        "roleId": role, "siteIds": [site],
    }, admin))["staff"]["id"]  # fmt: skip
    child = (await api.ok("createChild", CREATE_CHILD, {
        "siteId": site, "firstName": "Ava", "lastName": "Lopez", "dateOfBirth": "2022-05-17",
    }, admin))["child"]  # fmt: skip
    guardian = (await api.ok("addGuardian", ADD_GUARDIAN, {
        "familyId": child["familyId"], "firstName": "Maria", "lastName": "Lopez",
        "relationship": "Madre", "phone": "(512) 555-0134", "preferredContact": "SMS",
        "language": "ES", "authorizedPickup": True,
    }, admin))["adult"]["id"]  # fmt: skip
    pickup = (await api.ok("addContact", ADD_CONTACT, {
        "familyId": child["familyId"], "firstName": "Rosa", "lastName": "Diaz",
        "relationship": "Vecina", "phone": "512-555-0177", "authorizedPickup": True,
    }, admin))["adult"]["id"]  # fmt: skip
    await api.ok("enrollChild", ENROLL, {
        "childId": child["id"], "classroomId": room, "startsOn": today,
        "weekdays": [1, 2, 3, 4, 5],
    }, admin)  # fmt: skip
    return {"site": site, "room": room, "teacher": teacher, "child": child["id"],
            "guardian": guardian, "pickup": pickup}  # fmt: skip


async def test_an_agency_from_create_agency_to_a_kiosk_unlocked_by_the_teacher(
    live: LiveServer,
    database_url: str,
    clock: FrozenClock,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert await Agency.all().count() == 0
    link = await _first_start(monkeypatch, capsys, database_url, clock)
    today = clock.now().date().isoformat()  # a Wednesday, mid-morning in Chicago

    async with httpx.AsyncClient(timeout=30) as client:
        api = Api(client, live.http_url)
        # The first admin chooses a password with the link, then signs in with it.
        await api.ok("setStaffPassword", SET_PASSWORD, {
            "token": token_of(link), "password": ADMIN_PASSWORD}, None)  # fmt: skip
        admin = (await api.ok("staffLogin", LOGIN, {
            "email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}, None))["token"]  # fmt: skip
        ids = await _set_up_the_agency(api, admin, today)

        # The teacher opens the invitation email, chooses a password and signs in.
        invitation = await latest_token(TEACHER_EMAIL)
        await api.ok("setStaffPassword", SET_PASSWORD, {
            "token": invitation, "password": TEACHER_PASSWORD}, None)  # fmt: skip
        teacher = (await api.ok("staffLogin", LOGIN, {
            "email": TEACHER_EMAIL, "password": TEACHER_PASSWORD}, None))["token"]  # fmt: skip
        me = (await api.call(MY_PIN, token=teacher))["viewer"]
        assert "EDIT_ATTENDANCE" in me["grants"]
        assert me["pin"]
        signed = await api.ok("signIn", SIGN_IN, {
            "childIds": [ids["child"]], "classroomId": ids["room"]}, teacher)  # fmt: skip
        assert [e["status"] for e in signed["entries"]] == ["SIGNED_IN"]

        # The admin pairs the door's tablet and reads the family's PINs back.
        kiosk = (await api.ok("pairKiosk", PAIR, {
            "siteId": ids["site"], "name": "Front door"}, admin))["deviceToken"]  # fmt: skip
        revealed = await api.ok("revealPins", REVEAL, {
            "adultIds": [ids["guardian"], ids["pickup"]]}, admin)  # fmt: skip
        assert [r["status"] for r in revealed["results"]] == ["REVEALED", "REVEALED"]
        guardian_pin, pickup_pin = (r["pin"] for r in revealed["results"])

        # The guardian's PIN finds the child at the pad; the pickup's signs the child out.
        seen = await api.ok("kioskIdentify", IDENTIFY, {"pin": guardian_pin}, kiosk)
        assert seen["adult"]["id"] == ids["guardian"]
        assert [c["id"] for c in seen["children"]] == [ids["child"]]
        out = await api.ok("kioskSignOut", SIGN_OUT, {
            "pin": pickup_pin, "childIds": [ids["child"]]}, kiosk)  # fmt: skip
        assert out["adult"]["id"] == ids["pickup"]
        assert [c["status"] for c in out["children"]] == ["SIGNED_OUT"]

        # Locked, the pad takes no family PIN; the teacher's staff PIN unlocks it.
        assert (await api.ok("kioskLock", LOCK, {}, kiosk))["padState"]["locked"] is True
        refused = (await api.call(IDENTIFY, {"i": {"pin": guardian_pin}}, kiosk))["kioskIdentify"]
        assert [e["code"] for e in refused["errors"]] == ["PAD_LOCKED"]
        assert refused["padState"]["locked"] is True
        unlocked = await api.ok("kioskUnlock", UNLOCK, {"pin": me["pin"]}, kiosk)
        assert unlocked["padState"]["locked"] is False
        seen = await api.ok("kioskIdentify", IDENTIFY, {"pin": guardian_pin}, kiosk)
        assert seen["adult"]["id"] == ids["guardian"]
