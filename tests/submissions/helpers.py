"""Shared pieces of the submission tests: documents, families, a clock, links from the outbox."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any
from urllib.parse import parse_qs, urlsplit
from uuid import uuid4
from zoneinfo import ZoneInfo

from tortoise import Tortoise

from auth import sealed
from models.attendance import (
    ActorKind,
    AttendanceEvent,
    AttendanceSession,
    AuthMethod,
    EventKind,
    EventSource,
)
from models.notifications import Notification
from models.org import Classroom
from models.people import Child, ContactMethod, Family, FamilyAdult, GuardianSlot, Language
from tests import factories as make
from tests.conftest import TEST_KEYRING
from tests.graphql import GraphQLClient, Result
from tests.world import World

SUBMIT = """
mutation($i: SubmitAttendanceInput!) {
  submitAttendance(input: $i) {
    submission { id from to requests { id family guardian status completedAt } }
    results { familyId family guardian outcome }
    errors { code field message }
  }
}
"""
LIST = """
query($site: ID!) {
  attendanceSubmissions(siteId: $site) {
    id from to requests { family guardian status verifiedAt completedAt }
  }
}
"""
REQUEST_CODE = """
mutation($i: RequestSubmissionCodeInput!) { requestSubmissionCode(input: $i) { ok } }
"""
VERIFY = """
mutation($i: VerifySubmissionCodeInput!) {
  verifySubmissionCode(input: $i) { verified errors { code field message } }
}
"""
REVIEW = """
query($t: String!) {
  attendanceSubmission(token: $t) {
    siteName agencyName from to guardianFirstName
    children { firstName lastName days { date status signedInAt signedOutAt absenceReason } }
  }
}
"""
SIGN = """
mutation($i: SignAttendanceSubmissionInput!) {
  signAttendanceSubmission(input: $i) { signedAt errors { code field message } }
}
"""

# A Monday morning in Chicago; the period below is well over.
START = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
FROM = date(2026, 11, 2)
TO = date(2026, 11, 15)
CHICAGO = ZoneInfo("America/Chicago")
STROKES = [[[10.0, 10.0], [20.0, 25.5], [30.0, 12.0]], [[40.0, 40.0], [45.0, 50.0]]]


@dataclass
class Families:
    """Ava's family: guardian A by email in English, and Ava's sister Dora in the same
    room. Ben's family: guardian A has no contact, so guardian B gets the link by SMS in
    Spanish. Cleo's family has no guardian at all."""

    ava: Family
    ava_guardian: FamilyAdult
    dora: Child
    ben: Family
    ben_guardian_a: FamilyAdult
    ben_guardian_b: FamilyAdult
    cleo: Family


async def families(world: World) -> Families:
    ava = await Family.get(id=world.kids[0].family_id)
    ben = await Family.get(id=world.kids[1].family_id)
    cleo = await Family.get(id=world.kids[2].family_id)
    ava_guardian = await FamilyAdult.create(
        family=ava,
        guardian_slot=GuardianSlot.A,
        first_name="Maria",
        last_name="Lopez",
        email="Maria.Lopez@Example.test",
    )
    ben_a = await FamilyAdult.create(
        family=ben, guardian_slot=GuardianSlot.A, first_name="Noel", last_name="Quiet"
    )
    ben_b = await FamilyAdult.create(
        family=ben,
        guardian_slot=GuardianSlot.B,
        first_name="Lucia",
        last_name="Reyes",
        phone="+15125550134",
        preferred_contact=ContactMethod.SMS,
        language=Language.ES,
    )
    # A contact who could be reached is still no guardian: Cleo's family gets no link.
    await FamilyAdult.create(
        family=cleo, first_name="Gran", last_name="Ma", email="gran@example.test"
    )
    dora = await make.child(world.room, of=ava, first_name="Dora", last_name="Lopez")
    return Families(ava, ava_guardian, dora, ben, ben_a, ben_b, cleo)


def local(on: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(on, time(hour, minute), CHICAGO).astimezone(UTC)


async def _event(
    child: Child, room: Classroom, kind: EventKind, on: date, at: datetime, reason: str = ""
) -> AttendanceEvent:
    site = await room.site
    return await AttendanceEvent.create(
        agency_id=site.agency_id,
        site_id=site.id,
        classroom_id=room.id,
        child_id=child.id,
        kind=kind,
        occurred_at=at,
        local_date=on,
        actor_kind=ActorKind.STAFF,
        actor_name="Tess Teacher",
        device="test",
        source=EventSource.STAFF_ENTRY,
        auth_method=AuthMethod.STAFF_ENTRY,
        client_uuid=uuid4(),
        reason=reason,
    )


async def attended(child: Child, room: Classroom, on: date) -> list[AttendanceEvent]:
    """A whole day: signed in at 8:00 and out at 16:30, site time."""
    signed_in = await _event(child, room, EventKind.SIGN_IN, on, local(on, 8))
    signed_out = await _event(child, room, EventKind.SIGN_OUT, on, local(on, 16, 30))
    await AttendanceSession.create(
        child_id=child.id,
        classroom_id=room.id,
        local_date=on,
        signed_in_at=signed_in.occurred_at,
        signed_out_at=signed_out.occurred_at,
        sign_in_event=signed_in,
        sign_out_event=signed_out,
    )
    return [signed_in, signed_out]


async def absent(child: Child, room: Classroom, on: date, reason: str) -> AttendanceEvent:
    return await _event(child, room, EventKind.ABSENT, on, local(on, 7), reason)


def data(result: Result) -> dict[str, Any]:
    assert result.errors == [], result.errors
    assert result.data is not None
    return result.data


async def submit(
    gql: GraphQLClient, token: str, site_id: object, start: date = FROM, end: date = TO
) -> dict[str, Any]:
    variables = {"i": {"siteId": str(site_id), "from": start.isoformat(), "to": end.isoformat()}}
    payload: dict[str, Any] = data(await gql.execute(SUBMIT, variables, token=token))
    return payload["submitAttendance"]


def _unseal(message: Notification) -> dict[str, str]:
    assert message.secret_params is not None
    opened = sealed.unseal(TEST_KEYRING, message.secret_params)
    assert opened is not None
    secrets: dict[str, str] = json.loads(opened)
    return secrets


async def sent_link(destination: str) -> str:
    """The clear link of the latest submission message to ``destination``."""
    message = (
        await Notification.filter(template="attendance_submission", destination=destination)
        .order_by("-created_at")
        .first()
    )
    assert message is not None
    return _unseal(message)["link"]


async def link_token(destination: str) -> str:
    return parse_qs(urlsplit(await sent_link(destination)).query)["token"][0]


async def sent_code(destination: str) -> str:
    message = (
        await Notification.filter(template="verification_code", destination=destination)
        .order_by("-created_at")
        .first()
    )
    assert message is not None
    return _unseal(message)["code"]


async def database_text() -> str:
    """Every row of every table as text, to prove a secret is stored nowhere in clear."""
    rows: list[str] = []
    for model in Tortoise.apps.get_models_iterable():  # type: ignore[union-attr]
        rows.extend(str(row) for row in await model.all().values())
    return "\n".join(rows)


async def sign(
    gql: GraphQLClient, token: str, *, strokes: Any = None, certified: bool = True
) -> dict[str, Any]:
    variables = {
        "i": {
            "token": token,
            "strokes": STROKES if strokes is None else strokes,
            "certified": certified,
        }
    }
    payload: dict[str, Any] = data(await gql.execute(SIGN, variables))
    return payload["signAttendanceSubmission"]


async def verify(gql: GraphQLClient, token: str, code: str) -> dict[str, Any]:
    payload: dict[str, Any] = data(await gql.execute(VERIFY, {"i": {"token": token, "code": code}}))
    return payload["verifySubmissionCode"]


async def request_code(gql: GraphQLClient, token: str, channel: str = "EMAIL") -> Result:
    return await gql.execute(REQUEST_CODE, {"i": {"token": token, "channel": channel}})
