"""Files as readers see them: an attachment's facts and a short-lived signed link."""

from __future__ import annotations

from typing import Any

import strawberry

from auth.permissions import IsStaffOrParent
from models.files import StoredFile
from resolvers import files as file_resolvers
from resolvers.context import Info
from services.attachments import AttachmentInfo


@strawberry.type(
    description="A file carried by a message: a JPEG or PNG photo (re-encoded, without "
    "location or camera data) or a PDF."
)
class Attachment:
    id: strawberry.ID
    name: str = strawberry.field(description="Cleaned; show it, never use it as a path.")
    content_type: str = strawberry.field(description="image/jpeg, image/png or application/pdf.")
    size: int = strawberry.field(description="Bytes.")
    width: int | None = strawberry.field(description="Pixels, for photos.")
    height: int | None

    @strawberry.field(
        permission_classes=[IsStaffOrParent],
        description="Absolute link to the file, working for a few minutes (fetch it again "
        "from the message when it expired). No token needed: keep it private.",
    )
    def url(self, info: Info) -> str:
        return file_resolvers.link(info, str(self.id))

    @classmethod
    def from_domain(cls, found: AttachmentInfo) -> Attachment:
        return cls(
            id=strawberry.ID(found.id),
            name=found.name,
            content_type=found.content_type,
            size=found.size,
            width=found.width,
            height=found.height,
        )

    @classmethod
    def from_model(cls, row: StoredFile) -> Attachment:
        return cls(
            id=strawberry.ID(str(row.id)),
            name=row.name,
            content_type=row.content_type,
            size=row.size,
            width=row.width,
            height=row.height,
        )

    @classmethod
    def from_event(cls, data: dict[str, Any]) -> Attachment:
        return cls.from_domain(AttachmentInfo(**data))
