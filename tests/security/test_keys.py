"""Keys: HKDF per purpose, and rotating the secret key without losing a PIN or a message."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from pydantic import SecretStr

from auth import sealed
from auth.keys import Keyring, Purpose
from models.notifications import Notification
from models.org import Site
from models.people import FamilyAdult, GuardianSlot
from models.pins import PinCredential
from server import cli
from server.settings import Settings
from services import contactless, notifications
from services import pins as pin_service
from services.errors import DomainError
from tests import clock
from tests import factories as make
from tests.conftest import TEST_SECRET
from tests.graphql import GraphQLClient
from tests.world import TEACHER_PIN, World

OLD = TEST_SECRET  # what the world's PINs are made with
NEW = "the-new-secret-key-after-rotation-0123456789"
NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
GUARDIAN_PIN = "271828"
IDENTIFY = """
mutation($i: KioskPinInput!) {
  kioskIdentify(input: $i) { adult { id } errors { code } }
}
"""


def _keyring(current: str, previous: str | None = None) -> Keyring:
    return Keyring.from_secrets(current.encode(), previous.encode() if previous else None)


def _settings(database_url: str, current: str, previous: str | None = None) -> Settings:
    return Settings(
        database_url=database_url,
        secret_key=SecretStr(current),
        secret_key_previous=SecretStr(previous) if previous else None,
        jobs_in_process=False,
        _env_file=None,  # type: ignore[call-arg]
    )


@dataclass
class Door:
    token: str
    guardian: FamilyAdult
    message: Notification


@pytest.fixture
async def door(world: World) -> Door:
    """A kiosk, a guardian whose PIN and queued PIN message were made with the old key."""
    _, token = await make.kiosk(world.site, paired_by=world.admin)
    family = await make.family(world.agency)
    guardian, _ = await make.adult_with_pin(
        family, pin=GUARDIAN_PIN, slot=GuardianSlot.A, email="rosa@example.test"
    )
    await make.child(world.room, of=family)
    recipient = notifications.recipient_for(guardian)
    assert recipient is not None
    message = await notifications.enqueue(
        _keyring(OLD),
        agency_id=world.agency.id,
        recipient=recipient,
        template="pin",
        dedupe_key="pin:rosa",
        params={"adult_first_name": "Rosa", "site_name": "Sunrise North"},
        secret_params={"pin": GUARDIAN_PIN},
        now=NOW,
    )
    return Door(token, guardian, message)


async def _identify(schema: object, settings: Settings, token: str, pin: str) -> Any:
    gql = GraphQLClient(schema, settings, clock.current())  # type: ignore[arg-type]
    result = await gql.execute(IDENTIFY, {"i": {"pin": pin}}, token=token)
    assert result.errors == [], result
    return result.data["kioskIdentify"]  # type: ignore[index]


async def _rotate_keys(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, database_url: str, *keys: str
) -> int:
    """``playroll rotate-keys`` as an operator runs it: settings from the environment."""
    monkeypatch.chdir(tmp_path)  # no stray .env
    monkeypatch.setenv("PLAYROLL_DATABASE_URL", database_url)
    monkeypatch.setenv("PLAYROLL_SECRET_KEY", keys[0])
    if len(keys) > 1:
        monkeypatch.setenv("PLAYROLL_SECRET_KEY_PREVIOUS", keys[1])
    else:
        monkeypatch.delenv("PLAYROLL_SECRET_KEY_PREVIOUS", raising=False)
    # asyncio.run inside, so it gets a thread (and event loop) of its own.
    return await asyncio.to_thread(cli.main, ["rotate-keys"])


async def _stored() -> list[tuple[Any, ...]]:
    pins = await PinCredential.all().order_by("id").values_list("id", "lookup", "encrypted")
    queued = await Notification.all().order_by("id").values_list("id", "secret_params")
    return [*pins, *queued]


def test_each_purpose_has_its_own_key_and_none_is_the_secret() -> None:
    current = _keyring(NEW).current
    keys = [current.keys[purpose] for purpose in Purpose]
    assert len(set(keys)) == len(Purpose)
    assert NEW.encode() not in keys
    assert all(len(key) == 32 for key in keys)
    # Another secret, other keys.
    assert not set(keys) & set(_keyring(OLD).current.keys.values())


async def test_rotation_keeps_every_pin_and_message_then_the_old_key_can_go(
    schema: object,
    database_url: str,
    door: Door,
    world: World,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    rotating = _settings(database_url, NEW, OLD)
    # Before re-keying, the kiosk still knows the guardian (the PIN is under the old key).
    identified = await _identify(schema, rotating, door.token, GUARDIAN_PIN)
    assert identified == {"adult": {"id": str(door.guardian.id)}, "errors": []}
    # ... and the PIN is still taken in the agency for anyone else.
    other = await make.adult(await make.family(world.agency), slot=GuardianSlot.A)
    with pytest.raises(DomainError) as taken:
        await pin_service.store(rotating.secret, world.agency.id, GUARDIAN_PIN, adult_id=other.id)
    assert taken.value.code == "PIN_TAKEN"

    assert await _rotate_keys(monkeypatch, tmp_path, database_url, NEW, OLD) == 0
    out = capsys.readouterr()
    assert "PINs: 3 re-keyed, 0 already current" in out.out  # the guardian and two teachers
    assert "queued message secrets: 1 re-keyed" in out.out
    assert "re-keying" in out.err  # the progress bar

    # The new key alone now reads everything; the old key alone reads nothing.
    new_only, old_only = _settings(database_url, NEW), _settings(database_url, OLD)
    identified = await _identify(schema, new_only, door.token, GUARDIAN_PIN)
    assert identified["adult"] == {"id": str(door.guardian.id)}
    teacher = await pin_service.find(new_only.secret, world.agency.id, TEACHER_PIN)
    assert teacher is not None
    assert pin_service.reveal(new_only.secret, teacher) == TEACHER_PIN
    assert await pin_service.find(old_only.secret, world.agency.id, TEACHER_PIN) is None
    message = await Notification.get(id=door.message.id)
    assert message.secret_params is not None
    opened = sealed.unseal(new_only.secret, message.secret_params)
    assert json.loads(opened or "") == {"pin": GUARDIAN_PIN}
    assert sealed.unseal(old_only.secret, message.secret_params) is None

    # Running it again changes nothing.
    before = await _stored()
    assert await _rotate_keys(monkeypatch, tmp_path, database_url, NEW, OLD) == 0
    assert "PINs: 0 re-keyed, 3 already current" in capsys.readouterr().out
    assert await _stored() == before


async def test_a_value_no_key_reads_is_reported_and_left_alone(
    database_url: str,
    door: Door,
    world: World,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    stranger = "a-key-nobody-configured-0123456789abcdef"
    lost = await make.adult(await make.family(world.agency), slot=GuardianSlot.A)
    await pin_service.store(_keyring(stranger), world.agency.id, "918273", adult_id=lost.id)
    unreadable = await PinCredential.get(adult_id=lost.id)

    assert await _rotate_keys(monkeypatch, tmp_path, database_url, NEW, OLD) == 1
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert err.startswith("playroll: 1 PINs and 0 queued message secrets could not be read")
    after = await PinCredential.get(id=unreadable.id)
    assert (after.lookup, after.encrypted) == (unreadable.lookup, unreadable.encrypted)
    # The readable ones were re-keyed all the same.
    found = await pin_service.find(_keyring(NEW), world.agency.id, GUARDIAN_PIN)
    assert found is not None


async def test_nothing_to_rotate_without_a_previous_key_is_refused(
    database_url: str, door: Door, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert await _rotate_keys(monkeypatch, tmp_path, database_url, NEW, OLD) == 0
    assert await _rotate_keys(monkeypatch, tmp_path, database_url, NEW) == 2


# --- data from before HKDF ---------------------------------------------------------------


def _legacy_lookup(secret: str, agency_id: object, pin: str) -> str:
    """How PIN lookups were keyed before HKDF: the raw secret."""
    message = f"pin:{agency_id}:{pin}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def _legacy_fernet(label: bytes, secret: str) -> Fernet:
    """How the encryption keys were made before HKDF."""
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(label + secret.encode()).digest()))


async def test_pins_and_messages_from_before_hkdf_keep_working_and_are_rekeyed(
    schema: object,
    database_url: str,
    door: Door,
    world: World,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Rewrite the door's values exactly as the release before HKDF stored them.
    await PinCredential.filter(adult_id=door.guardian.id).update(
        lookup=_legacy_lookup(OLD, world.agency.id, GUARDIAN_PIN),
        encrypted=_legacy_fernet(b"playroll-pin-encryption:", OLD)
        .encrypt(GUARDIAN_PIN.encode())
        .decode(),
    )
    legacy_sealed = _legacy_fernet(b"playroll-sealed:", OLD).encrypt(b'{"pin": "271828"}')
    await Notification.filter(id=door.message.id).update(secret_params=legacy_sealed.decode())

    # After the upgrade, same key: the kiosk still knows the guardian.
    upgraded = _settings(database_url, OLD)
    identified = await _identify(schema, upgraded, door.token, GUARDIAN_PIN)
    assert identified["adult"] == {"id": str(door.guardian.id)}

    # No previous key, but legacy data: rotate-keys runs and moves it to the HKDF keys.
    assert await _rotate_keys(monkeypatch, tmp_path, database_url, OLD) == 0
    assert "PINs: 1 re-keyed, 2 already current" in capsys.readouterr().out
    credential = await PinCredential.get(adult_id=door.guardian.id)
    assert credential.lookup == upgraded.secret.current.digest(
        Purpose.PIN_LOOKUP, f"pin:{world.agency.id}:{GUARDIAN_PIN}".encode()
    )
    assert pin_service.reveal(upgraded.secret, credential) == GUARDIAN_PIN
    message = await Notification.get(id=door.message.id)
    opened = upgraded.secret.open(Purpose.SEALED, message.secret_params or "")
    assert opened is not None
    assert (json.loads(opened.text), opened.version) == ({"pin": GUARDIAN_PIN}, 0)


async def test_codes_signed_with_the_previous_key_pass_until_it_is_removed(
    world: World,
) -> None:
    site = await Site.get(id=world.site.id)
    printed = contactless.current(_keyring(OLD), site, NOW)
    assert printed is not None
    contactless.verify(_keyring(NEW, OLD), site, printed.token, NOW)
    with pytest.raises(DomainError):
        contactless.verify(_keyring(NEW), site, printed.token, NOW)
    # New codes are signed with the new key.
    shown = contactless.current(_keyring(NEW, OLD), site, NOW)
    assert shown is not None
    contactless.verify(_keyring(NEW), site, shown.token, NOW)
