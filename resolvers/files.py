"""Files: signed links for readers already allowed to see the file, attachment lists."""

from __future__ import annotations

from resolvers.context import Info
from services import attachments
from services.attachments import AttachmentInfo


def link(info: Info, file_id: str) -> str:
    ctx = info.context
    path = attachments.link(ctx.settings.secret, file_id, ctx.now(), ctx.settings.file_link_seconds)
    return ctx.settings.base_url.rstrip("/") + path


async def of_message(info: Info, message_id: int) -> list[AttachmentInfo]:
    return await info.context.loaders.attachments_by_message.load(message_id)
