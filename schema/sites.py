"""Agency admins set up sites and classrooms: create, rename, archive."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

import strawberry

from auth.permissions import IsAgencyAdmin
from models import org as org_models
from resolvers import sites as site_resolvers
from resolvers.context import Info
from resolvers.outcome import Outcome
from schema.errors import UserError, code_enum, payload_errors
from schema.org import Classroom, Site
from services import sites
from services.sites import NewSite, SiteChanges

if TYPE_CHECKING:
    SiteSetupErrorCode = StrEnum
else:
    SiteSetupErrorCode = code_enum("SiteSetupErrorCode", sites.SitesErrorCode)


@strawberry.type
class SiteSetupError(UserError):
    code: SiteSetupErrorCode


@strawberry.input
class CreateSiteInput:
    name: str = strawberry.field(description="1 to 200 characters, unique among open sites.")
    timezone: str = strawberry.field(description="An IANA time zone, such as America/Chicago.")
    address: str | None = None

    def to_new_site(self) -> NewSite:
        return NewSite(name=self.name, timezone=self.timezone, address=self.address or "")


@strawberry.input(description="Only the fields given change.")
class UpdateSiteInput:
    site_id: strawberry.ID
    name: str | None = None
    timezone: str | None = strawberry.field(
        default=None, description="Days already recorded keep their local date."
    )
    address: str | None = None

    def to_changes(self) -> SiteChanges:
        return SiteChanges(name=self.name, timezone=self.timezone, address=self.address)


@strawberry.input
class ArchiveSiteInput:
    site_id: strawberry.ID


@strawberry.input
class CreateClassroomInput:
    site_id: strawberry.ID
    name: str


@strawberry.input
class RenameClassroomInput:
    classroom_id: strawberry.ID
    name: str


@strawberry.input
class ArchiveClassroomInput:
    classroom_id: strawberry.ID


@strawberry.type
class CreateSitePayload:
    site: Site | None
    errors: list[SiteSetupError]


@strawberry.type
class UpdateSitePayload:
    site: Site | None
    errors: list[SiteSetupError]


@strawberry.type
class ArchiveSitePayload:
    site: Site | None
    errors: list[SiteSetupError]


@strawberry.type
class CreateClassroomPayload:
    classroom: Classroom | None
    errors: list[SiteSetupError]


@strawberry.type
class RenameClassroomPayload:
    classroom: Classroom | None
    errors: list[SiteSetupError]


@strawberry.type
class ArchiveClassroomPayload:
    classroom: Classroom | None
    errors: list[SiteSetupError]


def _site(result: Outcome[org_models.Site]) -> tuple[Site | None, list[SiteSetupError]]:
    site = Site.from_model(result.value) if result.value else None
    return site, payload_errors(result, SiteSetupError, SiteSetupErrorCode)


def _room(
    result: Outcome[org_models.Classroom],
) -> tuple[Classroom | None, list[SiteSetupError]]:
    room = Classroom.from_model(result.value) if result.value else None
    return room, payload_errors(result, SiteSetupError, SiteSetupErrorCode)


@strawberry.type
class SiteMutation:
    @strawberry.mutation(
        permission_classes=[IsAgencyAdmin],
        description="A new site with default pad and contactless settings. Audited.",
    )
    async def create_site(self, info: Info, input: CreateSiteInput) -> CreateSitePayload:
        site, errors = _site(await site_resolvers.create_site(info, input.to_new_site()))
        return CreateSitePayload(site=site, errors=errors)

    @strawberry.mutation(
        permission_classes=[IsAgencyAdmin],
        description="Rename a site, change its address or time zone. Audited.",
    )
    async def update_site(self, info: Info, input: UpdateSiteInput) -> UpdateSitePayload:
        result = await site_resolvers.update_site(info, str(input.site_id), input.to_changes())
        site, errors = _site(result)
        return UpdateSitePayload(site=site, errors=errors)

    @strawberry.mutation(
        permission_classes=[IsAgencyAdmin],
        description=(
            "Retire a site and its classrooms once no enrollment covers today or later. Its "
            "tablets are revoked; its history stays readable. Audited."
        ),
    )
    async def archive_site(self, info: Info, input: ArchiveSiteInput) -> ArchiveSitePayload:
        site, errors = _site(await site_resolvers.archive_site(info, str(input.site_id)))
        return ArchiveSitePayload(site=site, errors=errors)

    @strawberry.mutation(permission_classes=[IsAgencyAdmin], description="Audited.")
    async def create_classroom(
        self, info: Info, input: CreateClassroomInput
    ) -> CreateClassroomPayload:
        result = await site_resolvers.create_classroom(info, str(input.site_id), input.name)
        room, errors = _room(result)
        return CreateClassroomPayload(classroom=room, errors=errors)

    @strawberry.mutation(permission_classes=[IsAgencyAdmin], description="Audited.")
    async def rename_classroom(
        self, info: Info, input: RenameClassroomInput
    ) -> RenameClassroomPayload:
        result = await site_resolvers.rename_classroom(info, str(input.classroom_id), input.name)
        room, errors = _room(result)
        return RenameClassroomPayload(classroom=room, errors=errors)

    @strawberry.mutation(
        permission_classes=[IsAgencyAdmin],
        description=(
            "Retire a classroom once no enrollment covers today or later; its past rosters "
            "stay readable. Audited."
        ),
    )
    async def archive_classroom(
        self, info: Info, input: ArchiveClassroomInput
    ) -> ArchiveClassroomPayload:
        room, errors = _room(await site_resolvers.archive_classroom(info, str(input.classroom_id)))
        return ArchiveClassroomPayload(classroom=room, errors=errors)
