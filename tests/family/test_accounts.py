"""Family accounts: signing in, throttling, no enumeration, password resets, connections."""

from __future__ import annotations

import asyncio

import pytest

from auth import sessions
from models.access import AuthSession
from models.audit import AuditEntry
from models.family_accounts import FamilyAccount, GuardianLink, PasswordReset
from models.notifications import Notification
from models.org import ModuleAccess
from models.people import GuardianSlot
from server.settings import Settings
from tests import factories as make
from tests.family.helpers import (
    CHILDREN,
    CONNECT,
    GUARDIANS,
    PASSWORD,
    REGISTER,
    REQUEST_RESET,
    RESET,
    Household,
    account_for,
    data,
    family_login,
    household,
    invite,
    parent_token,
    register,
    reset_code,
    sent_code,
)
from tests.graphql import GraphQLClient
from tests.world import World

BAD_LOGIN = [{"code": "INVALID_CREDENTIALS", "message": "The login or password is not right."}]


@pytest.fixture
async def home(world: World) -> Household:
    return await household(world)


async def test_a_parent_signs_in_with_email_or_phone(
    gql: GraphQLClient, world: World, home: Household
) -> None:
    await account_for(home.guardian_a, login="maria@example.test")
    await account_for(home.guardian_b, login="+15125550134")
    by_email = await family_login(gql, "  MARIA@example.test ", PASSWORD)
    by_phone = await family_login(gql, "(512) 555-0134", PASSWORD)
    assert by_email["errors"] == []
    assert by_phone["errors"] == []
    me = await gql.execute(CHILDREN, token=by_phone["token"])
    assert data(me)["viewer"]["login"] == "+15125550134"
    stored = await AuthSession.filter(kind="PARENT").values_list("token_hash", flat=True)
    assert by_email["token"] not in stored
    assert await AuditEntry.filter(action="authn.family_login_success").count() == 2


async def test_wrong_password_unknown_and_malformed_logins_get_one_answer(
    gql: GraphQLClient, world: World, home: Household
) -> None:
    await account_for(home.guardian_a, login="maria@example.test")
    wrong = await family_login(gql, "maria@example.test", "not the password")
    unknown = await family_login(gql, "nobody@example.test", "not the password")
    malformed = await family_login(gql, "not a login", "not the password")
    for payload in (wrong, unknown, malformed):
        assert payload == {"token": None, "errors": BAD_LOGIN}
    failures = await AuditEntry.filter(action="authn.login_fail").values_list("data", flat=True)
    assert len(failures) == 3
    assert all("not the password" not in str(d) for d in failures)


async def test_a_family_login_is_throttled_per_login_and_per_address(
    gql: GraphQLClient, world: World, home: Household, settings: Settings
) -> None:
    await account_for(home.guardian_a, login="maria@example.test")
    for attempt in range(settings.login_account_max_failures):
        await family_login(gql, "maria@example.test", f"guess {attempt}!!", ip=f"10.1.0.{attempt}")
    blocked = await family_login(gql, "maria@example.test", PASSWORD, ip="10.2.0.1")
    assert [e["code"] for e in blocked["errors"]] == ["TOO_MANY_ATTEMPTS"]
    # An unknown login is throttled just the same, so throttling reveals nothing either.
    for attempt in range(settings.login_account_max_failures):
        await family_login(gql, "ghost@example.test", f"guess {attempt}!!", ip=f"10.3.0.{attempt}")
    ghost = await family_login(gql, "ghost@example.test", PASSWORD, ip="10.2.0.2")
    assert ghost["errors"] == blocked["errors"]

    for attempt in range(settings.login_ip_max_failures):
        await family_login(gql, f"p{attempt}@example.test", "guessing!!", ip="10.9.9.9")
    await account_for(home.guardian_b, login="luis@example.test")
    from_there = await family_login(gql, "luis@example.test", PASSWORD, ip="10.9.9.9")
    assert [e["code"] for e in from_there["errors"]] == ["TOO_MANY_ATTEMPTS"]
    elsewhere = await family_login(gql, "luis@example.test", PASSWORD, ip="10.9.9.10")
    assert elsewhere["errors"] == []


@pytest.mark.parametrize(
    "operation",
    [
        'a: familyLogin(input: {login: "x@example.test", password: "one guess!!"}) { token }',
        'a: registerFamilyAccount(input: {code: "AAAA", login: "x@example.test", '
        'password: "one guess!!"}) { token }',
        'a: resetPassword(input: {login: "x@example.test", code: "123456", '
        'newPassword: "a new password"}) { token }',
        'a: requestPasswordReset(input: {login: "x@example.test"}) { ok }',
        'a: addConnection(input: {code: "AAAA"}) { agencyName }',
    ],
)
async def test_login_and_code_mutations_are_alone_in_their_operation(
    gql: GraphQLClient, operation: str
) -> None:
    batch = "mutation { %s %s }" % (operation, operation.replace("a:", "b:", 1))
    result = await gql.execute(batch)
    assert result.codes == ["BAD_USER_INPUT"]
    assert result.data is None
    assert await AuditEntry.all().count() == 0


async def test_registration_never_tells_whether_a_code_or_login_exists(
    gql: GraphQLClient, world: World, home: Household
) -> None:
    await account_for(home.guardian_b, login="taken@example.test")
    staff = await make.token_for(world.admin)
    await invite(gql, staff, home.guardian_a.id)
    code = await sent_code(home.guardian_a)
    made_up = await register(gql, "ABCD-EFGH-JKMN", "new@example.test")
    nonsense = await register(gql, "hello", "new@example.test")
    taken = await register(gql, code, "taken@example.test", password="someone else's pw")
    assert made_up == nonsense == taken
    assert made_up["token"] is None
    assert [e["code"] for e in made_up["errors"]] == ["INVALID_CREDENTIALS"]
    # Nothing changed: the code still works for its guardian.
    assert await FamilyAccount.all().count() == 1
    ok = await register(gql, code.lower().replace("-", " "), "new@example.test")
    assert ok["errors"] == []


async def test_registration_checks_the_shape_of_login_and_password(
    gql: GraphQLClient, world: World, home: Household
) -> None:
    for login, password in (("not a login", PASSWORD), ("x@example.test", "short")):
        result = await gql.execute(
            REGISTER, {"i": {"code": "ABCD-EFGH-JKMN", "login": login, "password": password}}
        )
        assert result.codes == ["BAD_USER_INPUT"]


async def test_a_password_reset_is_single_use_and_ends_other_sessions(
    gql: GraphQLClient, world: World, home: Household
) -> None:
    await account_for(home.guardian_b, login="+15125550134")
    old_token = (await family_login(gql, "+15125550134", PASSWORD))["token"]
    asked = await gql.execute(REQUEST_RESET, {"i": {"login": "512-555-0134"}})
    assert data(asked) == {"requestPasswordReset": {"ok": True}}
    message = await Notification.get(template="password_reset")
    # Sent by SMS to the phone login, in the guardian's language, without the clear code.
    assert (message.channel, message.destination, message.language) == (
        "SMS",
        "+15125550134",
        "es",
    )
    code = await reset_code("+15125550134")
    assert code not in str(await Notification.all().values())
    assert code not in str(await PasswordReset.all().values())

    new = {"login": "+15125550134", "code": code, "newPassword": "a brand new password"}
    reset = await gql.execute(RESET, {"i": new})
    assert data(reset)["resetPassword"]["errors"] == []
    assert data(reset)["resetPassword"]["token"]
    assert await sessions.resolve(old_token, gql.clock.now()) is None
    assert (await family_login(gql, "+15125550134", PASSWORD))["token"] is None
    assert (await family_login(gql, "+15125550134", "a brand new password"))["token"]
    again = await gql.execute(RESET, {"i": {**new, "newPassword": "yet another password"}})
    assert data(again)["resetPassword"]["token"] is None


async def test_a_reset_code_dies_after_five_wrong_tries_or_ten_minutes(
    gql: GraphQLClient, world: World, home: Household, monkeypatch: pytest.MonkeyPatch
) -> None:
    await account_for(home.guardian_a, login="maria@example.test")
    await gql.execute(REQUEST_RESET, {"i": {"login": "maria@example.test"}})
    code = await reset_code("maria@example.test")
    wrong = "000000" if code != "000000" else "111111"
    attempt = {"login": "maria@example.test", "code": wrong, "newPassword": "a new password!"}
    for n in range(5):
        tried = await gql.execute(RESET, {"i": attempt}, ip=f"10.4.0.{n}")
        assert data(tried)["resetPassword"]["token"] is None
    late = await gql.execute(RESET, {"i": {**attempt, "code": code}}, ip="10.4.1.1")
    assert data(late)["resetPassword"] == data(tried)["resetPassword"]

    await PasswordReset.all().delete()
    await gql.execute(REQUEST_RESET, {"i": {"login": "maria@example.test"}})
    fresh = await reset_code("maria@example.test")
    gql.clock.advance(minutes=10, seconds=1)
    expired = await gql.execute(RESET, {"i": {**attempt, "code": fresh}}, ip="10.4.1.2")
    assert data(expired)["resetPassword"]["token"] is None
    assert (await family_login(gql, "maria@example.test", PASSWORD))["errors"] == []


async def test_asking_for_a_reset_says_the_same_whether_or_not_the_login_exists(
    gql: GraphQLClient, world: World, home: Household
) -> None:
    await account_for(home.guardian_a, login="maria@example.test")
    known = await gql.execute(REQUEST_RESET, {"i": {"login": "maria@example.test"}})
    unknown = await gql.execute(REQUEST_RESET, {"i": {"login": "nobody@example.test"}})
    assert known.data == unknown.data == {"requestPasswordReset": {"ok": True}}
    assert known.errors == unknown.errors == []
    assert await Notification.filter(destination="nobody@example.test").count() == 0
    # At most three codes per quarter hour, silently.
    for _ in range(5):
        await gql.execute(REQUEST_RESET, {"i": {"login": "maria@example.test"}})
    assert await Notification.filter(template="password_reset").count() == 3
    wrong = await gql.execute(
        RESET, {"i": {"login": "nobody@example.test", "code": "123456", "newPassword": "x" * 12}}
    )
    assert data(wrong)["resetPassword"]["errors"][0]["code"] == "INVALID_CREDENTIALS"


async def test_an_account_adds_a_connection_to_a_second_agency(
    gql: GraphQLClient, world: World, home: Household
) -> None:
    # Maria registered with Sunny Days; the foreign agency enrolls her other child.
    staff = await make.token_for(world.admin)
    await invite(gql, staff, home.guardian_a.id)
    parent = (await register(gql, await sent_code(home.guardian_a), "maria@example.test"))["token"]
    foreign_family = await make.family(world.foreign_agency, "Family Lopez")
    await world.foreign_kid.update_from_dict({"family_id": foreign_family.id}).save()
    there, _ = await make.adult_with_pin(
        foreign_family, slot=GuardianSlot.A, email="maria@example.test"
    )
    foreign_staff = await make.token_for(world.foreign_admin)
    await invite(gql, foreign_staff, there.id)
    code = await sent_code(there)

    refused = await gql.execute(CONNECT, {"i": {"code": "ABCD-EFGH-JKMN"}}, token=parent)
    assert data(refused)["addConnection"]["errors"][0]["code"] == "INVALID_CODE"
    connected = await gql.execute(CONNECT, {"i": {"code": code}}, token=parent)
    assert data(connected)["addConnection"] == {
        "agencyName": "CANARY_FOREIGN_AGENCY",
        "errors": [],
    }
    assert await FamilyAccount.all().count() == 1
    assert await GuardianLink.all().count() == 2

    kids = await gql.execute(CHILDREN, token=parent)
    names = sorted(c["firstName"] for c in data(kids)["viewer"]["children"])
    assert names == ["Ava", "CANARY_FOREIGN_KID"]
    # Each agency's staff still see only their own guardians.
    ours = await gql.execute(GUARDIANS, {"site": str(world.site.id)}, token=staff)
    assert "CANARY" not in str(ours.data)
    assert str(there.id) not in str(ours.data)
    theirs = await gql.execute(GUARDIANS, {"site": str(world.foreign_site.id)}, token=foreign_staff)
    assert [g["id"] for g in data(theirs)["guardians"]] == [str(there.id)]
    assert "Ava" not in str(theirs.data)
    # A used code does not connect anyone else.
    other = await parent_token(await account_for(home.guardian_b, login="luis@example.test"))
    reused = await gql.execute(CONNECT, {"i": {"code": code}}, token=other)
    assert data(reused)["addConnection"]["errors"][0]["code"] == "INVALID_CODE"


async def test_only_a_signed_in_parent_adds_a_connection(
    gql: GraphQLClient, world: World, home: Household
) -> None:
    variables = {"i": {"code": "ABCD-EFGH-JKMN"}}
    assert (await gql.execute(CONNECT, variables)).codes == ["UNAUTHENTICATED"]
    editing = await make.role(world.agency, students=ModuleAccess.EDIT)
    staff = await make.staff(world.agency, role=editing, sites=[world.site])
    staff_try = await gql.execute(CONNECT, variables, token=await make.token_for(staff))
    assert staff_try.codes == ["FORBIDDEN"]


async def test_connection_attempts_are_throttled_per_account(
    gql: GraphQLClient, world: World, home: Household, settings: Settings
) -> None:
    parent = await parent_token(await account_for(home.guardian_a))
    for n in range(settings.login_account_max_failures):
        await gql.execute(
            CONNECT, {"i": {"code": f"ABCD-EFGH-{n:04d}"}}, token=parent, ip=f"10.5.0.{n}"
        )
    blocked = await gql.execute(CONNECT, {"i": {"code": "ABCD-EFGH-JKMN"}}, token=parent)
    assert data(blocked)["addConnection"]["errors"][0]["code"] == "TOO_MANY_ATTEMPTS"


async def test_racing_registrations_on_one_code_make_exactly_one_account(
    gql: GraphQLClient, world: World, home: Household
) -> None:
    await invite(gql, await make.token_for(world.admin), home.guardian_a.id)
    code = await sent_code(home.guardian_a)
    payloads = await asyncio.gather(
        *(register(gql, code, f"racer{n}@example.test", ip=f"10.6.0.{n}") for n in range(6))
    )
    winners = [p for p in payloads if p["token"]]
    assert len(winners) == 1
    assert await GuardianLink.filter(adult_id=home.guardian_a.id).count() == 1
    assert await FamilyAccount.all().count() == 1
    assert await AuditEntry.filter(action="family.register").count() == 1
