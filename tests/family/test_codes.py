"""Invitation codes and logins: what a typed value is read as."""

from __future__ import annotations

import pytest

from models.family_accounts import LoginKind
from services.errors import InvalidInput
from services.family import normalize_login
from services.invitations import new_code, normalize_code


def test_new_codes_are_long_random_and_readable() -> None:
    codes = {new_code() for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        assert len(code) == 14
        assert code.count("-") == 2
        assert normalize_code(code) == code.replace("-", "")


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("7k3q-m9xd-2pra", "7K3QM9XD2PRA"),
        (" 7K3Q M9XD 2PRA ", "7K3QM9XD2PRA"),
        ("7K3Q-M9XD-2PRO", "7K3QM9XD2PR0"),  # O for zero
        ("IK3Q-M9XD-2PRA", "1K3QM9XD2PRA"),  # I for one
    ],
)
def test_a_code_survives_how_it_is_typed(typed: str, read: str) -> None:
    assert normalize_code(typed) == read


@pytest.mark.parametrize(
    "typed", ["", "7K3Q-M9XD", "7K3Q-M9XD-2PRA-7", "7K3Q-M9XD-2PRU", "\u0667K3QM9XD2PRA"]
)
def test_anything_else_is_no_code(typed: str) -> None:
    assert normalize_code(typed) is None


@pytest.mark.parametrize(
    ("typed", "login", "kind"),
    [
        (" Maria@Example.COM ", "maria@example.com", LoginKind.EMAIL),
        ("(512) 555-0134", "+15125550134", LoginKind.PHONE),
        ("1 512 555 0134", "+15125550134", LoginKind.PHONE),
        ("+52 55 1234 5678", "+525512345678", LoginKind.PHONE),
        ("+44 20 7946 0958", "+442079460958", LoginKind.PHONE),
        ("+33 6 12 34 56 78", "+33612345678", LoginKind.PHONE),
    ],
)
def test_logins_are_normalized(typed: str, login: str, kind: LoginKind) -> None:
    assert normalize_login(typed) == (login, kind)


@pytest.mark.parametrize(
    "typed",
    [
        "maria",
        "@example.com",
        "555-0134",
        # No such area code: a typo caught before an invitation goes nowhere.
        "+1 555 555 0123",
        "+44 12",
        "\u0665\u0661\u0662\u0665\u0665\u0665\u0660\u0661\u0663\u0664",
        "x" * 300,
    ],
)
def test_other_logins_are_refused(typed: str) -> None:
    with pytest.raises(InvalidInput):
        normalize_login(typed)
