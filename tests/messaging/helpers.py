"""A site where a family and the staff talk: who is who, and the operations they use."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from models.family_accounts import FamilyAccount
from models.org import ModuleAccess, StaffUser
from tests import factories as make
from tests.family.helpers import Household, account_for, household, parent_token
from tests.graphql import GraphQLClient
from tests.world import World

OPEN = """
mutation($i: OpenConversationInput!) {
  openConversation(input: $i) {
    conversation { id kind title siteName unreadCount familyId classroomId }
    errors { code field message }
  }
}
"""
SEND = """
mutation($i: SendMessageInput!) {
  sendMessage(input: $i) {
    message { id text senderKind senderName fromYou sentAt conversationId }
    errors { code field message }
  }
}
"""
READ = """
mutation($i: MarkConversationReadInput!) {
  markConversationRead(input: $i) {
    receipt { readerKind readerName throughMessageId isYou }
    errors { code }
  }
}
"""
HISTORY = """
query($id: ID!, $first: Int, $after: String) {
  conversation(id: $id) {
    id unreadCount title
    messages(first: $first, after: $after) { messages { id text fromYou } endCursor hasMore }
    receipts { readerKind readerName throughMessageId }
  }
}
"""
LIST = """
query($site: ID) {
  conversations(siteId: $site) { id kind title unreadCount lastMessage { text } }
}
"""
UNREAD = (
    "{ viewer { ... on StaffViewer { unreadMessages } ... on ParentViewer { unreadMessages } } }"
)
LIVE = """
subscription($site: ID) {
  messageReceived(siteId: $site) {
    __typename
    ... on Message { id conversationId text senderKind senderName fromYou }
    ... on ReadReceipt { conversationId readerKind readerName throughMessageId isYou }
  }
}
"""


@dataclass
class Chat:
    world: World
    home: Household
    account_a: FamilyAccount
    account_b: FamilyAccount
    parent_a: str
    parent_b: str
    messenger: StaffUser
    colleague: StaffUser
    staff_a: str
    staff_b: str
    # Messaging at the other site of the agency, and at another agency.
    other_site: str
    foreign: str
    # The world's teacher: attendance edit, no Messaging.
    no_messaging: str


async def build_chat(world: World) -> Chat:
    home = await household(world)
    account_a = await account_for(home.guardian_a)
    account_b = await account_for(home.guardian_b, login="+15125550134")
    # Messaging on with Attendance view-only: the seed's "messaging without attendance entry".
    talk = await make.role(world.agency, messaging=True, attendance=ModuleAccess.VIEW)
    messenger = await make.staff(world.agency, role=talk, sites=[world.site], first_name="Mia")
    colleague = await make.staff(world.agency, role=talk, sites=[world.site], first_name="Cole")
    elsewhere = await make.staff(world.agency, role=talk, sites=[world.other_site])
    foreign_role = await make.role(world.foreign_agency, messaging=True)
    foreign = await make.staff(world.foreign_agency, role=foreign_role, sites=[world.foreign_site])
    return Chat(
        world=world,
        home=home,
        account_a=account_a,
        account_b=account_b,
        parent_a=await parent_token(account_a),
        parent_b=await parent_token(account_b),
        messenger=messenger,
        colleague=colleague,
        staff_a=await make.token_for(messenger),
        staff_b=await make.token_for(colleague),
        other_site=await make.token_for(elsewhere),
        foreign=await make.token_for(foreign),
        no_messaging=await make.token_for(world.teacher),
    )


@pytest.fixture
async def chat(world: World) -> Chat:
    return await build_chat(world)


async def ok(gql: GraphQLClient, query: str, variables: dict[str, Any], token: str) -> Any:
    result = await gql.execute(query, variables, token=token)
    assert result.errors == [], result.errors
    assert result.data is not None
    return result.data


async def family_conversation(gql: GraphQLClient, chat: Chat, token: str | None = None) -> str:
    """The family's conversation at the main site, opened by staff (or ``token``)."""
    variables = {"i": {"siteId": str(chat.world.site.id), "familyId": str(chat.home.family.id)}}
    data = await ok(gql, OPEN, variables, token or chat.staff_a)
    assert data["openConversation"]["errors"] == []
    return str(data["openConversation"]["conversation"]["id"])


async def send(gql: GraphQLClient, token: str, conversation: str, text: str) -> dict[str, Any]:
    data = await ok(gql, SEND, {"i": {"conversationId": conversation, "text": text}}, token)
    assert data["sendMessage"]["errors"] == [], data
    message: dict[str, Any] = data["sendMessage"]["message"]
    return message


async def unread(gql: GraphQLClient, token: str) -> int:
    return int((await ok(gql, UNREAD, {}, token))["viewer"]["unreadMessages"])
