from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.files.s3_server import S3Server, s3_server


@pytest.fixture(scope="session")
def s3() -> Iterator[S3Server]:
    """One S3-compatible server for the whole run (it starts in about a second)."""
    with s3_server() as server:
        yield server
