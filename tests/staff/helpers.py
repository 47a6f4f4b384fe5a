"""Shared pieces of the staff-account tests: operations and links read from the outbox."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

from auth import sealed
from models.notifications import Notification
from tests.conftest import TEST_KEYRING
from tests.graphql import GraphQLClient, Result

PASSWORD = "a long staff passphrase"

STAFF_FIELDS = "id firstName lastName email isAgencyAdmin isActive role { id name } siteIds"
CREATE_ROLE = """
mutation($i: CreateRoleInput!) {
  createRole(input: $i) {
    role { id name students attendance messaging siteAdmin } errors { code field message }
  }
}
"""
UPDATE_ROLE = """
mutation($i: UpdateRoleInput!) {
  updateRole(input: $i) {
    role { id name students attendance messaging siteAdmin } errors { code field message }
  }
}
"""
CREATE_STAFF = f"""
mutation($i: CreateStaffInput!) {{
  createStaff(input: $i) {{ staff {{ {STAFF_FIELDS} }} errors {{ code field message }} }}
}}
"""
SEND_INVITATION = f"""
mutation($i: StaffMemberInput!) {{
  sendStaffInvitation(input: $i) {{ staff {{ {STAFF_FIELDS} }} errors {{ code field }} }}
}}
"""
UPDATE_ACCESS = f"""
mutation($i: UpdateStaffAccessInput!) {{
  updateStaffAccess(input: $i) {{ staff {{ {STAFF_FIELDS} }} errors {{ code field message }} }}
}}
"""
DEACTIVATE = f"""
mutation($i: StaffMemberInput!) {{
  deactivateStaff(input: $i) {{ staff {{ {STAFF_FIELDS} }} errors {{ code field message }} }}
}}
"""
RE_PIN = f"""
mutation($i: StaffMemberInput!) {{
  rePinStaff(input: $i) {{ staff {{ {STAFF_FIELDS} }} errors {{ code field }} }}
}}
"""
CHANGE_OWN_PIN = """
mutation($i: ChangeOwnPinInput!) { changeOwnPin(input: $i) { ok errors { code field } } }
"""
SET_PASSWORD = """
mutation($i: SetStaffPasswordInput!) {
  setStaffPassword(input: $i) { token errors { code field message } }
}
"""
REQUEST_RESET = """
mutation($i: RequestStaffPasswordResetInput!) {
  requestStaffPasswordReset(input: $i) { ok errors { code } }
}
"""
STAFF_LOGIN = """
mutation($i: StaffLoginInput!) { staffLogin(input: $i) { token errors { code } } }
"""
VIEWER = "{ viewer { ... on StaffViewer { id name isAgencyAdmin grants siteIds pin } } }"


async def links_sent(email: str, template: str = "staff_invitation") -> list[str]:
    """The set-password links queued to ``email``, oldest first."""
    found = await Notification.filter(destination=email, template=template).order_by("created_at")
    links = []
    for message in found:
        assert message.secret_params is not None
        opened = sealed.unseal(TEST_KEYRING, message.secret_params)
        assert opened is not None
        links.append(json.loads(opened)["link"])
    return links


def token_of(link: str) -> str:
    return parse_qs(urlsplit(link).query)["token"][0]


async def latest_token(email: str, template: str = "staff_invitation") -> str:
    return token_of((await links_sent(email, template))[-1])


async def set_password(gql: GraphQLClient, token: str, password: str = PASSWORD) -> Result:
    return await gql.execute(SET_PASSWORD, {"i": {"token": token, "password": password}})


async def login(gql: GraphQLClient, email: str, password: str = PASSWORD) -> str | None:
    result = await gql.execute(STAFF_LOGIN, {"i": {"email": email, "password": password}})
    assert result.data is not None, result.errors
    token: str | None = result.data["staffLogin"]["token"]
    return token


def payload(result: Result, name: str) -> dict[str, Any]:
    assert result.errors == [], result.errors
    assert result.data is not None
    found: dict[str, Any] = result.data[name]
    return found
