from __future__ import annotations

from models.access import AuthSession
from models.audit import AuditEntry
from server.settings import Settings
from tests import factories as make
from tests.clock import FrozenClock
from tests.graphql import GraphQLClient
from tests.world import World

LOGIN = """
mutation($i: StaffLoginInput!) { staffLogin(input: $i) { token errors { code message } } }
"""
VIEWER = "{ viewer { ... on StaffViewer { name grants } } }"


async def _login(gql: GraphQLClient, email: str, password: str, ip: str = "10.0.0.1") -> dict:
    result = await gql.execute(LOGIN, {"i": {"email": email, "password": password}}, ip=ip)
    assert result.errors == []
    return result.data["staffLogin"]


async def test_staff_log_in_with_email_and_password(gql: GraphQLClient, world: World) -> None:
    await make.staff(world.agency, email="Nora@Example.test", password="a long passphrase")
    payload = await _login(gql, "  nora@example.TEST ", "a long passphrase")
    assert payload["errors"] == []
    me = await gql.execute(VIEWER, token=payload["token"])
    assert me.data["viewer"]["name"].startswith("Sam")
    session = await AuthSession.get()
    assert payload["token"] not in session.token_hash  # only the digest is stored
    assert await AuditEntry.filter(action="authn.login_success").count() == 1


async def test_wrong_password_and_unknown_email_get_the_same_answer(
    gql: GraphQLClient, world: World
) -> None:
    await make.staff(world.agency, email="nora@example.test", password="a long passphrase")
    wrong = await _login(gql, "nora@example.test", "not it at all")
    unknown = await _login(gql, "nobody@example.test", "not it at all")
    assert (
        wrong
        == unknown
        == {
            "token": None,
            "errors": [
                {"code": "INVALID_CREDENTIALS", "message": "The email or password is not right."}
            ],
        }
    )
    failures = await AuditEntry.filter(action="authn.login_fail").values_list("data", flat=True)
    assert all("not it at all" not in str(data) for data in failures)


async def test_an_account_is_throttled_after_repeated_failures(
    gql: GraphQLClient, world: World, settings: Settings
) -> None:
    await make.staff(world.agency, email="nora@example.test", password="a long passphrase")
    for attempt in range(settings.login_account_max_failures):
        # Different addresses, so only the per-account limit is in play.
        await _login(gql, "nora@example.test", f"guess {attempt}", ip=f"10.1.0.{attempt}")
    blocked = await _login(gql, "nora@example.test", "a long passphrase", ip="10.2.0.1")
    assert blocked["token"] is None
    assert [e["code"] for e in blocked["errors"]] == ["TOO_MANY_ATTEMPTS"]


async def test_one_address_is_throttled_across_accounts(
    gql: GraphQLClient, world: World, settings: Settings
) -> None:
    await make.staff(world.agency, email="nora@example.test", password="a long passphrase")
    for attempt in range(settings.login_ip_max_failures):
        await _login(gql, f"user{attempt}@example.test", "guess", ip="10.9.9.9")
    blocked = await _login(gql, "nora@example.test", "a long passphrase", ip="10.9.9.9")
    assert [e["code"] for e in blocked["errors"]] == ["TOO_MANY_ATTEMPTS"]
    elsewhere = await _login(gql, "nora@example.test", "a long passphrase", ip="10.9.9.10")
    assert elsewhere["errors"] == []


async def test_logout_revokes_the_token(
    gql: GraphQLClient, world: World, clock: FrozenClock
) -> None:
    token = await make.token_for(world.teacher)
    out = await gql.execute("mutation { logout { ok } }", token=token)
    assert out.data == {"logout": {"ok": True}}
    after = await gql.execute("{ sites { name } }", principal=None, token=None)
    assert after.codes == ["UNAUTHENTICATED"]
    from auth import sessions

    assert await sessions.resolve(token, clock.now()) is None


async def test_expired_and_unknown_tokens_resolve_to_nobody(
    world: World, clock: FrozenClock
) -> None:
    from auth import sessions

    token = await make.token_for(world.teacher)  # valid for twelve hours
    clock.advance(hours=11, minutes=59)
    assert await sessions.resolve(token, clock.now()) is not None
    clock.advance(minutes=1)
    assert await sessions.resolve(token, clock.now()) is None
    assert await sessions.resolve("made-up-token", clock.now()) is None


async def test_a_deactivated_staff_member_is_signed_out_at_once(
    world: World, clock: FrozenClock
) -> None:
    from auth import sessions

    token = await make.token_for(world.teacher)
    world.teacher.is_active = False
    await world.teacher.save()
    assert await sessions.resolve(token, clock.now()) is None


async def test_login_must_be_the_only_field_of_its_operation(gql: GraphQLClient) -> None:
    batch = """
    mutation {
      a: staffLogin(input: {email: "x@example.test", password: "one guess"}) { token }
      b: staffLogin(input: {email: "x@example.test", password: "two guess"}) { token }
    }
    """
    result = await gql.execute(batch)
    assert result.codes == ["BAD_USER_INPUT"]
    assert result.data is None
    assert await AuditEntry.filter(action="authn.login_fail").count() == 0
