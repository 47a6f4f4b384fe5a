"""Where uploaded files live: a local directory, or an S3-compatible bucket.

One interface (``FileStorage``) with two backends. Keys are opaque names the caller
chooses (letters, digits, ``-``, ``_``, ``/`` and ``.``; never ``..``). A ``put`` either
stores the whole object or nothing: the local backend writes a temporary file and renames
it; S3 stores an object only when its whole body arrived.
"""

from __future__ import annotations

import asyncio
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

_KEY = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9_./-]{0,200}$")


class StorageError(Exception):
    """The storage could not be reached or refused the operation."""


def checked_key(key: str) -> str:
    if not _KEY.match(key) or ".." in key or "//" in key or key.endswith("/"):
        raise ValueError(f"not a storage key: {key!r}")
    return key


class FileStorage(Protocol):
    async def put(self, key: str, data: bytes, content_type: str) -> None:
        """Store the whole object under ``key`` (replacing one there)."""

    async def get(self, key: str) -> bytes | None:
        """The object's bytes, or None when there is none."""

    async def delete(self, key: str) -> None:
        """Remove the object; nothing happens when there is none."""


class LocalFileStorage:
    """A directory on this machine: the embedded default (one server process)."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        return self.root / checked_key(key)

    def _write(self, path: Path, data: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        await asyncio.to_thread(self._write, self._path(key), data)

    def _read(self, path: Path) -> bytes | None:
        try:
            return path.read_bytes()
        except FileNotFoundError:
            return None

    async def get(self, key: str) -> bytes | None:
        return await asyncio.to_thread(self._read, self._path(key))

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self._path(key).unlink, missing_ok=True)


@dataclass(frozen=True)
class S3Config:
    bucket: str
    endpoint_url: str | None = None
    region: str | None = None
    access_key_id: str | None = None
    secret_access_key: str | None = None
    # Keys are written under this prefix (several deployments may share a bucket).
    prefix: str = ""


class S3FileStorage:
    """An S3-compatible bucket (AWS S3, MinIO, Ceph, R2, ...) through boto3.

    boto3 is synchronous: each call runs in a worker thread so the event loop never waits.
    """

    def __init__(self, config: S3Config) -> None:
        import boto3
        from botocore.config import Config

        self.config = config
        self._client: Any = boto3.session.Session().client(
            "s3",
            endpoint_url=config.endpoint_url,
            region_name=config.region,
            aws_access_key_id=config.access_key_id,
            aws_secret_access_key=config.secret_access_key,
            config=Config(
                retries={"max_attempts": 3, "mode": "standard"},
                connect_timeout=5,
                read_timeout=30,
            ),
        )

    def _key(self, key: str) -> str:
        return self.config.prefix + checked_key(key)

    async def _call(self, method: str, **kwargs: Any) -> Any:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return await asyncio.to_thread(getattr(self._client, method), **kwargs)
        except ClientError as e:
            if e.response.get("Error", {}).get("Code") in {"NoSuchKey", "404"}:
                return None
            raise StorageError(f"object storage refused {method}: {e}") from e
        except BotoCoreError as e:
            raise StorageError(f"object storage unreachable ({method}): {e}") from e

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        await self._call(
            "put_object",
            Bucket=self.config.bucket,
            Key=self._key(key),
            Body=data,
            ContentType=content_type,
        )

    async def get(self, key: str) -> bytes | None:
        found = await self._call("get_object", Bucket=self.config.bucket, Key=self._key(key))
        if found is None:
            return None
        body = found["Body"]
        try:
            return bytes(await asyncio.to_thread(body.read))
        finally:
            body.close()

    async def delete(self, key: str) -> None:
        await self._call("delete_object", Bucket=self.config.bucket, Key=self._key(key))
