"""Staff choose the channel an invitation goes out on (EMAIL or SMS)."""

from __future__ import annotations

from models.audit import AuditEntry
from models.family_accounts import Invitation
from models.notifications import Notification
from models.org import ModuleAccess
from models.people import ContactMethod
from tests import factories as make
from tests.family.helpers import INVITE, household, register, sent_code
from tests.graphql import GraphQLClient
from tests.world import World


async def _invite(gql: GraphQLClient, token: str, ids: list[str], method: str) -> list[str]:
    result = await gql.execute(INVITE, {"i": {"guardianIds": ids, "method": method}}, token=token)
    assert result.errors == [], result.errors
    assert result.data is not None
    return [r["outcome"] for r in result.data["inviteGuardians"]["results"]]


async def test_invitations_go_on_the_chosen_channel_or_report_no_contact(
    gql: GraphQLClient, world: World
) -> None:
    home = await household(world)  # A: email only, English; B: phone only, Spanish
    editor = await make.staff(
        world.agency,
        role=await make.role(world.agency, students=ModuleAccess.EDIT),
        sites=[world.site],
    )
    token = await make.token_for(editor)
    a, b = str(home.guardian_a.id), str(home.guardian_b.id)

    assert await _invite(gql, token, [a, b], "SMS") == ["NO_CONTACT", "INVITED"]
    # Nothing was written for guardian A: no code, no message, no audit entry.
    assert not await Invitation.exists(adult_id=home.guardian_a.id)
    [texted] = await Notification.all()
    assert (texted.channel, texted.destination) == (ContactMethod.SMS, "+15125550134")
    [audited] = await AuditEntry.filter(action="family.invite")
    assert (audited.target_id, audited.data["channel"]) == (b, "SMS")

    assert await _invite(gql, token, [b, a], "EMAIL") == ["NO_CONTACT", "INVITED"]
    emailed = await Notification.get(channel=ContactMethod.EMAIL)
    assert emailed.destination == "Maria.Lopez@Example.test"
    invites = await AuditEntry.filter(action="family.invite")
    assert sorted(entry.data["channel"] for entry in invites) == ["EMAIL", "SMS"]
    # The code that went by email works.
    payload = await register(gql, await sent_code(home.guardian_a), "maria@example.test")
    assert payload["errors"] == []
