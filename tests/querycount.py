"""Counting the SQL statements an operation sends (Tortoise logs each one at DEBUG)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager


class _Counter(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.statements: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if message.lstrip().upper().startswith(("SELECT", "INSERT", "UPDATE", "DELETE")):
            self.statements.append(message)


@contextmanager
def count_queries() -> Iterator[list[str]]:
    logger = logging.getLogger("tortoise.db_client")
    counter = _Counter()
    previous = logger.level
    logger.setLevel(logging.DEBUG)
    logger.addHandler(counter)
    try:
        yield counter.statements
    finally:
        logger.removeHandler(counter)
        logger.setLevel(previous)
