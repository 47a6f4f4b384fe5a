"""`playroll serve --workers N`: several processes only where events cross processes."""

from __future__ import annotations

from server.cli import worker_count
from server.settings import Settings


def test_sqlite_and_memory_broadcast_fall_back_to_one_process(settings: Settings) -> None:
    sqlite = settings.model_copy(update={"database_url": "sqlite://x.db"})
    assert worker_count(sqlite, 4)[0] == 1
    assert "SQLite" in (worker_count(sqlite, 4)[1] or "")
    memory = settings.model_copy(
        update={"database_url": "postgres://db/x", "broadcast_url": "memory://"}
    )
    assert worker_count(memory, 4)[0] == 1
    assert "redis://" in (worker_count(memory, 4)[1] or "")


def test_postgres_with_redis_runs_the_workers_asked_for(settings: Settings) -> None:
    shared = settings.model_copy(
        update={"database_url": "postgres://db/x", "broadcast_url": "redis://r:6379/0"}
    )
    assert worker_count(shared, 4) == (4, None)
    assert worker_count(shared, 1) == (1, None)
