"""Login throttles hold when attempts arrive all at once, and their counters expire."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from auth import passwords
from auth.principals import Anonymous
from models.access import ThrottleCounter
from server.settings import Settings
from services import access
from services.errors import DomainError
from tests import factories as make
from tests.family.helpers import family_login
from tests.graphql import GraphQLClient
from tests.world import World

LOGIN = """
mutation($i: StaffLoginInput!) { staffLogin(input: $i) { token errors { code } } }
"""
ATTEMPTS = 30


@pytest.fixture
def hash_checks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every password checked against a hash, in order."""
    checked: list[str] = []
    verify: Callable[[str | None, str], bool] = passwords.verify_password

    def counting(password_hash: str | None, password: str) -> bool:
        checked.append(password)
        return verify(password_hash, password)

    monkeypatch.setattr(passwords, "verify_password", counting)
    return checked


async def _staff_login(gql: GraphQLClient, email: str, password: str, ip: str) -> list[str]:
    result = await gql.execute(LOGIN, {"i": {"email": email, "password": password}}, ip=ip)
    assert result.errors == [], result.errors
    return [e["code"] for e in result.data["staffLogin"]["errors"]]  # type: ignore[index]


async def test_thirty_concurrent_guesses_at_one_account_check_at_most_the_limit(
    gql: GraphQLClient, world: World, settings: Settings, hash_checks: list[str]
) -> None:
    await make.staff(world.agency, email="nora@example.test", password="a long passphrase")
    # Each from its own address, so only the per-account limit is in play.
    codes = await asyncio.gather(
        *(
            _staff_login(gql, "nora@example.test", f"guess {n}", ip=f"10.3.{n}.1")
            for n in range(ATTEMPTS)
        )
    )
    assert len(hash_checks) == settings.login_account_max_failures
    flat = [code for answer in codes for code in answer]
    assert flat.count("INVALID_CREDENTIALS") == settings.login_account_max_failures
    assert flat.count("TOO_MANY_ATTEMPTS") == ATTEMPTS - settings.login_account_max_failures


async def test_thirty_concurrent_guesses_from_one_address_check_at_most_its_limit(
    gql: GraphQLClient, world: World, settings: Settings, hash_checks: list[str]
) -> None:
    codes = await asyncio.gather(
        *(
            _staff_login(gql, f"user{n}@example.test", "guess", ip="10.4.4.4")
            for n in range(ATTEMPTS)
        )
    )
    assert len(hash_checks) == settings.login_ip_max_failures
    assert sum(answer == ["TOO_MANY_ATTEMPTS"] for answer in codes) == (
        ATTEMPTS - settings.login_ip_max_failures
    )


async def test_thirty_concurrent_family_guesses_check_at_most_the_limit(
    gql: GraphQLClient, world: World, settings: Settings, hash_checks: list[str]
) -> None:
    answers = await asyncio.gather(
        *(
            family_login(gql, "maria@example.test", f"guess number {n}", ip=f"10.5.{n}.1")
            for n in range(ATTEMPTS)
        )
    )
    assert len(hash_checks) == settings.login_account_max_failures
    refused = [a for a in answers if [e["code"] for e in a["errors"]] == ["TOO_MANY_ATTEMPTS"]]
    assert len(refused) == ATTEMPTS - settings.login_account_max_failures


async def test_a_right_password_does_not_use_up_the_address_limit(
    gql: GraphQLClient, world: World, settings: Settings
) -> None:
    await make.staff(world.agency, email="nora@example.test", password="a long passphrase")
    for _ in range(settings.login_ip_max_failures + 2):
        assert await _staff_login(gql, "nora@example.test", "a long passphrase", "10.6.6.6") == []


async def test_address_counters_expire_and_are_purged(world: World, settings: Settings) -> None:
    policy = access.ThrottlePolicy(
        account_max_failures=3,
        account_window=timedelta(minutes=15),
        ip_max_failures=2,
        ip_window=timedelta(minutes=1),
    )
    start = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)

    async def attempt(email: str, ip: str, at: datetime) -> str:
        try:
            await access.staff_login(
                Anonymous(ip_address=ip),
                email,
                "wrong password",
                policy=policy,
                session_lifetime=timedelta(hours=1),
                now=at,
            )
        except DomainError as refusal:
            return refusal.code
        raise AssertionError("a wrong password was accepted")

    assert await attempt("a@example.test", "10.7.0.1", start) == "INVALID_CREDENTIALS"
    assert await attempt("b@example.test", "10.7.0.1", start) == "INVALID_CREDENTIALS"
    assert await attempt("c@example.test", "10.7.0.1", start) == "TOO_MANY_ATTEMPTS"
    # The address window ends a minute after its first attempt: it may try again.
    later = start + timedelta(minutes=1, seconds=1)
    assert await attempt("c@example.test", "10.7.0.1", later) == "INVALID_CREDENTIALS"
    assert await ThrottleCounter.filter(key="ip:10.7.0.1").values_list("attempts", flat=True) == [1]

    # Once every window has ended, the next new counter sweeps the old ones away.
    much_later = start + timedelta(hours=1)
    assert await attempt("d@example.test", "10.7.0.2", much_later) == "INVALID_CREDENTIALS"
    assert sorted(await ThrottleCounter.all().values_list("key", flat=True)) == [
        "account:d@example.test",
        "ip:10.7.0.2",
    ]
