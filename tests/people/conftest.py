"""Callers the children and enrollment tests refuse or allow, besides the world's own."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from uuid import uuid4

import pytest

from auth.principals import KioskPrincipal, ParentPrincipal
from models.org import ModuleAccess, StaffUser
from tests import factories as make
from tests.clock import FrozenClock
from tests.world import World


@dataclass
class Callers:
    # Students edit at the main site, and one with Students edit at the other site only.
    editor: StaffUser
    other_site_editor: StaffUser
    # A family account linked to the first kid's family, and a kiosk at the main site.
    parent: ParentPrincipal
    kiosk: KioskPrincipal


@pytest.fixture
async def callers(world: World, clock: FrozenClock) -> Callers:
    role = await make.role(world.agency, students=ModuleAccess.EDIT)
    editor = await make.staff(world.agency, role=role, sites=[world.site], first_name="Ed")
    other = await make.staff(world.agency, role=role, sites=[world.other_site], first_name="Otto")
    parent = ParentPrincipal(
        session_id=uuid4(),
        account_id=uuid4(),
        login="parent@example.com",
        adult_ids=frozenset(),
        family_ids=frozenset({world.kids[0].family_id}),
        agency_ids=frozenset({world.agency.id}),
        expires_at=clock.now() + timedelta(hours=1),
    )
    kiosk = KioskPrincipal(
        session_id=uuid4(),
        kiosk_id=uuid4(),
        site_id=world.site.id,
        agency_id=world.agency.id,
        name="Front door",
        expires_at=clock.now() + timedelta(days=30),
    )
    return Callers(editor=editor, other_site_editor=other, parent=parent, kiosk=kiosk)
