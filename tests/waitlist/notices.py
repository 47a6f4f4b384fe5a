"""Documents and reads the application-account tests share: the outbox, codes, the
family's own list."""

from __future__ import annotations

from typing import Any

from models.family_accounts import FamilyAccount
from models.notifications import Notification
from tests.family.helpers import _unsealed_code
from tests.graphql import GraphQLClient
from tests.waitlist.helpers import ERRORS, data

RESULTS = "results { applicationId outcome application { id onlineAccount { state login } } }"
INVITE = (
    "mutation($i: InviteApplicationsInput!) { inviteApplications(input: $i) "
    f"{{ {RESULTS} errors {{ code }} }} }}"
)
UNLINK = (
    "mutation($i: UnlinkApplicationsInput!) { unlinkApplications(input: $i) "
    f"{{ {RESULTS} errors {{ code }} }} }}"
)
MY_ROW = (
    "id number status agencyName contactMethod language guardians { email phone } "
    "sites { siteId siteName position } offer { siteName startsOn }"
)
MINE = f"{{ myApplications {{ {MY_ROW} }} }}"
ANSWER = (
    "mutation($i: AnswerOfferInput!) { answerApplicationOffer(input: $i) "
    f"{{ application {{ {MY_ROW} }} {ERRORS} }} }}"
)
WITHDRAW = (
    "mutation($i: MyApplicationInput!) { withdrawMyApplication(input: $i) "
    f"{{ application {{ {MY_ROW} }} {ERRORS} }} }}"
)
UPDATE = (
    "mutation($i: UpdateMyApplicationInput!) { updateMyApplication(input: $i) "
    f"{{ application {{ {MY_ROW} }} {ERRORS} }} }}"
)


async def notices_to(destination: str, template: str) -> list[Notification]:
    found = await Notification.filter(destination=destination, template=template).order_by(
        "created_at"
    )
    return list(found)


async def code_for(message: Notification) -> str:
    return _unsealed_code(message)


async def mine(gql: GraphQLClient, token: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = data(await gql.execute(MINE, token=token), "myApplications")
    return found


async def parent_of(login: str) -> FamilyAccount | None:
    return await FamilyAccount.get_or_none(login=login)
