from __future__ import annotations

from collections.abc import Iterator

import pytest

from server.settings import Settings
from tests.conftest import TEST_SECRET
from tests.files.s3_server import S3Server, s3_server
from tests.messaging.helpers import chat

__all__ = ["chat"]


@pytest.fixture(scope="session")
def s3() -> Iterator[S3Server]:
    """One S3-compatible server for the whole run (it starts in about a second)."""
    with s3_server() as server:
        yield server


@pytest.fixture(scope="session")
def settings(
    database_url: str, broadcast_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Settings:
    """The suite's settings, with uploads kept in a temporary directory."""
    return Settings(
        database_url=database_url,
        broadcast_url=broadcast_url,
        secret_key=TEST_SECRET,
        debug=False,
        jobs_in_process=False,
        files_dir=str(tmp_path_factory.mktemp("files")),
        _env_file=None,  # type: ignore[call-arg]
    )
