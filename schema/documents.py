"""Documents between a family and its agency (README "Documents")."""

from __future__ import annotations

import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

import strawberry

from auth.permissions import CanMessage
from models import documents as models
from resolvers import documents as document_resolvers
from resolvers.context import Info
from schema.errors import UserError, code_enum, payload_errors
from schema.files import Attachment
from services import attachments, documents

strawberry.enum(models.DocumentDirection, name="DocumentDirection")


@strawberry.type(description="A document staff posted to a family, or a family submitted.")
class FamilyDocument:
    id: strawberry.ID
    family_id: strawberry.ID
    direction: models.DocumentDirection
    title: str
    posted_by_name: str
    posted_at: datetime.datetime
    file: Attachment | None = strawberry.field(description="None once deleted.")
    deleted_at: datetime.datetime | None = strawberry.field(
        description="Set when the one who posted it deleted it: the title is empty, no file."
    )

    @classmethod
    def from_model(cls, document: models.FamilyDocument) -> FamilyDocument:
        return cls(
            id=strawberry.ID(str(document.id)),
            family_id=strawberry.ID(str(document.family_id)),
            direction=models.DocumentDirection(document.direction),
            title=document.title,
            posted_by_name=document.posted_by_name,
            posted_at=document.posted_at,
            file=None if document.deleted_at else Attachment.from_model(document.file),
            deleted_at=document.deleted_at,
        )


if TYPE_CHECKING:
    DocumentErrorCode = StrEnum
else:
    DocumentErrorCode = code_enum(
        "DocumentErrorCode", documents.DocumentErrorCode, attachments.AttachmentErrorCode
    )


@strawberry.type
class DocumentError(UserError):
    code: DocumentErrorCode


@strawberry.input(
    description="Staff: the family to post to. Parents: their family (left out when they "
    "have one). `fileId` is an upload of yours (`POST /files`), used once."
)
class AddFamilyDocumentInput:
    family_id: strawberry.ID | None = None
    title: str = strawberry.field(description="1 to 200 characters.")
    file_id: strawberry.ID


@strawberry.type
class AddFamilyDocumentPayload:
    document: FamilyDocument | None
    errors: list[DocumentError]


@strawberry.type
class DocumentsQuery:
    @strawberry.field(
        permission_classes=[CanMessage],
        description="Newest first (200 at most). Staff name the family; parents see all of "
        "their families' documents unless they name one. `direction` narrows to posted "
        "(TO_FAMILY) or submitted (FROM_FAMILY) ones.",
    )
    async def family_documents(
        self,
        info: Info,
        family_id: strawberry.ID | None = None,
        direction: models.DocumentDirection | None = None,
    ) -> list[FamilyDocument]:
        family = str(family_id) if family_id is not None else None
        found = await document_resolvers.listed(info, family, direction)
        return [FamilyDocument.from_model(d) for d in found]


@strawberry.type
class DocumentsMutation:
    @strawberry.mutation(
        permission_classes=[CanMessage],
        description="Staff with Messaging post a document to a family; a parent submits one "
        "for their family. Audited without the title.",
    )
    async def add_family_document(
        self, info: Info, input: AddFamilyDocumentInput
    ) -> AddFamilyDocumentPayload:
        family = str(input.family_id) if input.family_id else None
        result = await document_resolvers.add(info, family, input.title, str(input.file_id))
        return AddFamilyDocumentPayload(
            document=FamilyDocument.from_model(result.value) if result.value else None,
            errors=payload_errors(result, DocumentError, DocumentErrorCode),
        )
