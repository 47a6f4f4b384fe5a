"""Deletes by the one who posted: a message, a family document, a moment (README
"Deleting messages, documents and moments")."""

from __future__ import annotations

import strawberry

from auth.permissions import CanMessage, CanMessageAsStaff
from resolvers import removals as removal_resolvers
from resolvers.context import Info
from schema.documents import FamilyDocument
from schema.messaging import Message
from schema.moments import Moment


@strawberry.type
class DeleteMessagePayload:
    message: Message = strawberry.field(description="The tombstone: no text, no files.")


@strawberry.type
class DeleteFamilyDocumentPayload:
    document: FamilyDocument = strawberry.field(description="The tombstone: no title, no file.")


@strawberry.type
class DeleteMomentPayload:
    moment: Moment = strawberry.field(description="The tombstone: no caption, no photo.")


@strawberry.type
class RemovalsMutation:
    @strawberry.mutation(
        permission_classes=[CanMessageAsStaff],
        description="Staff with Messaging delete a message they sent: every reader sees a "
        "tombstone, the files stop being served. Audited without the text. Deleting again "
        "changes nothing.",
    )
    async def delete_message(self, info: Info, id: strawberry.ID) -> DeleteMessagePayload:
        found = await removal_resolvers.message(info, str(id))
        return DeleteMessagePayload(message=Message.from_model(found))

    @strawberry.mutation(
        permission_classes=[CanMessage],
        description="Staff delete a document they posted; a parent one they submitted. The "
        "file stops being served at once. Audited without the title.",
    )
    async def delete_family_document(
        self, info: Info, id: strawberry.ID
    ) -> DeleteFamilyDocumentPayload:
        found = await removal_resolvers.document(info, str(id))
        return DeleteFamilyDocumentPayload(document=FamilyDocument.from_model(found))

    @strawberry.mutation(
        permission_classes=[CanMessageAsStaff],
        description="Staff with Messaging delete a moment they shared: every family sees a "
        "tombstone, the photo stops being served. Audited without the caption.",
    )
    async def delete_moment(self, info: Info, id: strawberry.ID) -> DeleteMomentPayload:
        found = await removal_resolvers.moment(info, str(id))
        return DeleteMomentPayload(moment=Moment.from_domain(found))
