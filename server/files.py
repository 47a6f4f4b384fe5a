"""The upload and download routes of files (README "Files and attachments").

``POST /files`` takes the raw bytes of one file (bearer token, ``Content-Type`` the
claimed type, ``?name=`` the file's name), checks them, stores them and answers the
upload's ID, which ``sendMessage`` then attaches. ``GET /files/<id>`` serves a file to
whoever holds an unexpired signed link (handed out only in answers the reader was
allowed to see). Nothing is stored half: the bytes are checked whole before the storage
sees them, and a row is only written once the storage holds them.
"""

from __future__ import annotations

import logging
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from auth import sessions
from auth.principals import Principal
from auth.tokens import bearer_token
from integrations.file_storage import FileStorage, StorageError
from server.graphql_view import client_ip
from server.settings import Settings
from services import attachments, uploads
from services.clock import Clock
from services.errors import DomainError, NotFound

logger = logging.getLogger(__name__)

# These routes hold bodies to their own limit (PLAYROLL_MAX_UPLOAD_BYTES).
OWN_LIMIT = ("/files",)

_STATUS = {
    uploads.UploadErrorCode.FILE_TOO_LARGE: 413,
    uploads.UploadErrorCode.FILE_TYPE_NOT_ALLOWED: 415,
    uploads.UploadErrorCode.FILE_TYPE_MISMATCH: 415,
    uploads.UploadErrorCode.TOO_MANY_UPLOADS: 429,
}


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse(
        {"errors": [{"code": code, "message": message, "field": "file"}]}, status_code=status
    )


def _refused(error: DomainError) -> JSONResponse:
    return _error(_STATUS.get(error.code, 400), error.code.value, error.message)  # type: ignore[call-overload]


async def _body(request: Request, max_bytes: int) -> bytes:
    """The whole body, refused as soon as it passes the limit (announced or streamed)."""
    announced = request.headers.get("content-length")
    if announced is not None and announced.isdigit():
        uploads.refuse_size(int(announced), max_bytes)
    chunks: list[bytes] = []
    received = 0
    async for chunk in request.stream():
        received += len(chunk)
        uploads.refuse_size(received, max_bytes)
        chunks.append(chunk)
    return b"".join(chunks)


class FileRoutes:
    def __init__(self, settings: Settings, storage: FileStorage, clock: Clock) -> None:
        self.settings = settings
        self.storage = storage
        self.clock = clock

    def routes(self) -> list[Route]:
        return [
            Route("/files", self.upload, methods=["POST"]),
            Route("/files/{file_id}", self.download, methods=["GET"]),
        ]

    async def _principal(self, request: Request) -> Principal | None:
        token = bearer_token(request.headers.get("authorization"))
        if token is None:
            return None
        return await sessions.resolve(token, self.clock.now(), client_ip(request))

    async def upload(self, request: Request) -> Response:
        principal = await self._principal(request)
        if principal is None:
            return _error(401, "UNAUTHENTICATED", "Sign in first.")
        try:
            await attachments.refuse_flood(principal, self.clock.now())
            data = await _body(request, self.settings.max_upload_bytes)
            prepared = uploads.checked(
                data,
                request.headers.get("content-type"),
                request.query_params.get("name"),
                self.settings.max_upload_bytes,
            )
        except PermissionError as e:
            return _error(403, "FORBIDDEN", str(e))
        except DomainError as e:
            return _refused(e)
        return await self._store(principal, prepared)

    async def _store(self, principal: Principal, prepared: uploads.Prepared) -> Response:
        """The bytes first, then the row; a row that fails takes its bytes with it."""
        now = self.clock.now()
        key = attachments.new_key(now)
        try:
            await self.storage.put(key, prepared.data, prepared.content_type)
        except StorageError:
            logger.exception("file storage refused an upload")
            return _error(503, "STORAGE_UNAVAILABLE", "Files cannot be stored now: try again.")
        try:
            row = await attachments.record(principal, prepared, key, now)
        except BaseException:
            await self.storage.delete(key)
            raise
        body = {
            "id": str(row.id),
            "name": row.name,
            "contentType": row.content_type,
            "size": row.size,
            "width": row.width,
            "height": row.height,
        }
        return JSONResponse(body, status_code=201)

    async def download(self, request: Request) -> Response:
        try:
            found = await attachments.by_link(
                self.settings.secret,
                request.path_params["file_id"],
                request.query_params.get("expires", ""),
                request.query_params.get("signature", ""),
                self.clock.now(),
            )
        except NotFound:
            return _error(404, "NOT_FOUND", "File not found or link expired.")
        data = await self.storage.get(found.storage_key)
        if data is None:
            return _error(404, "NOT_FOUND", "File not found or link expired.")
        # PDFs download rather than open in the app's origin; images show inline.
        disposition = "inline" if found.content_type in uploads.IMAGES else "attachment"
        return Response(
            data,
            media_type=found.content_type,
            headers={
                "content-disposition": f"{disposition}; filename*=UTF-8''{quote(found.name)}",
                "x-content-type-options": "nosniff",
                "content-security-policy": "default-src 'none'; sandbox",
                "cache-control": "private, max-age=300",
            },
        )
