"""The same contract, run against the local directory and a real S3-compatible server."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from integrations.file_storage import FileStorage, LocalFileStorage
from server.file_storage import build_storage
from server.settings import Settings
from tests.conftest import TEST_SECRET
from tests.files.s3_server import ACCESS_KEY, REGION, SECRET_KEY, S3Server


def _settings(**values: object) -> Settings:
    return Settings(secret_key=TEST_SECRET, _env_file=None, **values)  # type: ignore[arg-type, call-arg]


@pytest.fixture(scope="module", params=["local", "s3"])
def storage(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, s3: S3Server
) -> FileStorage:
    if request.param == "local":
        return build_storage(_settings(files_dir=str(tmp_path_factory.mktemp("files"))))
    bucket = f"playroll-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(bucket)
    return build_storage(
        _settings(
            file_storage="s3",
            s3_bucket=bucket,
            s3_endpoint_url=s3.endpoint_url,
            s3_region=REGION,
            s3_access_key_id=ACCESS_KEY,
            s3_secret_access_key=SECRET_KEY,
            s3_prefix="attachments/",
        )
    )


async def test_put_get_replace_delete(storage: FileStorage) -> None:
    assert await storage.get("a/missing.bin") is None
    await storage.put("a/one.pdf", b"%PDF-1.4 first", "application/pdf")
    assert await storage.get("a/one.pdf") == b"%PDF-1.4 first"
    await storage.put("a/one.pdf", b"%PDF-1.4 second", "application/pdf")
    assert await storage.get("a/one.pdf") == b"%PDF-1.4 second"
    big = bytes(range(256)) * 40_000  # 10 MB round trip, byte for byte
    await storage.put("b/big.bin", big, "application/octet-stream")
    assert await storage.get("b/big.bin") == big
    await storage.delete("a/one.pdf")
    assert await storage.get("a/one.pdf") is None
    await storage.delete("a/one.pdf")  # deleting twice is fine


async def test_keys_never_leave_the_store(storage: FileStorage) -> None:
    for key in ["../escape", "a/../../b", "/absolute", "a//b", "a/", "", "a\\b"]:
        with pytest.raises(ValueError, match="not a storage key"):
            await storage.put(key, b"x", "text/plain")
        with pytest.raises(ValueError, match="not a storage key"):
            await storage.get(key)


async def test_a_failed_local_write_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    storage = LocalFileStorage(tmp_path)

    def disk_full(fd: int) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("integrations.file_storage.os.fsync", disk_full)
    with pytest.raises(OSError, match="disk full"):
        await storage.put("x/file.bin", b"data", "application/octet-stream")
    assert await storage.get("x/file.bin") is None
    assert [p.name for p in (tmp_path / "x").iterdir()] == []


def test_s3_needs_a_bucket_and_both_credentials() -> None:
    with pytest.raises(ValueError, match="S3_BUCKET"):
        _settings(file_storage="s3")
    with pytest.raises(ValueError, match="go together"):
        _settings(file_storage="s3", s3_bucket="b", s3_access_key_id="k")
