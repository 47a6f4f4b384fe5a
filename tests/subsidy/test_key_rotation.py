"""A site's state password survives a key rotation: ``rotate-keys`` re-seals it."""

from __future__ import annotations

from datetime import UTC, datetime

from auth import sealed
from auth.keys import Keyring, Purpose
from models.subsidy import SubsidyConnection
from services import key_rotation
from tests.world import World

OLD = b"o" * 48
NEW = b"n" * 48


async def test_rotate_keys_reseals_the_subsidy_password(world: World) -> None:
    old = Keyring.from_secrets(OLD)
    await SubsidyConnection.create(
        agency=world.agency,
        site=world.site,
        provider_id="PRV",
        password_sealed=sealed.seal(old, "the-password"),
        connected_at=datetime(2026, 3, 4, tzinfo=UTC),
    )
    rotating = Keyring.from_secrets(NEW, OLD)
    report = await key_rotation.rotate(rotating)
    assert report.sealed.rekeyed == 1
    stored = await SubsidyConnection.get(site_id=world.site.id)
    assert stored.password_sealed is not None
    assert sealed.unseal(Keyring.from_secrets(NEW), stored.password_sealed) == "the-password"
    opened = rotating.open(Purpose.SEALED, stored.password_sealed)
    assert opened is not None
    assert opened.version == 0
