"""Which stored files lose their bytes: uploads never used within a day, and the files
of deleted messages, documents and moments (``services/removals.py``).

A file is first marked removed (``removed_at``: no link serves it from then on, and it
can no longer be attached), then the file job (``jobs/file_cleanup.py``) deletes its
bytes and records that here. Marking first makes the job safe to stop at any point: a
row marked but not purged is simply taken again on the next pass.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from models.files import StoredFile

UNUSED_FOR = timedelta(days=1)
BATCH = 200


async def remove_unused(now: datetime) -> int:
    """Mark the uploads nobody attached within ``UNUSED_FOR``; returns how many."""
    return await StoredFile.filter(
        claimed_at__isnull=True, removed_at__isnull=True, created_at__lte=now - UNUSED_FOR
    ).update(removed_at=now)


async def due(limit: int = BATCH) -> list[StoredFile]:
    """Removed files whose bytes are still in the storage, oldest removal first."""
    return (
        await StoredFile.filter(removed_at__isnull=False, purged_at__isnull=True)
        .order_by("removed_at")
        .limit(limit)
    )


async def purged(row: StoredFile, now: datetime) -> None:
    """After its bytes are gone: an unused upload or a message's file loses its row too;
    a document's or a moment's keeps it, for the tombstone that points at it."""
    if row.claimed_at is None or row.message_id is not None:
        await StoredFile.filter(id=row.id).delete()
    else:
        await StoredFile.filter(id=row.id).update(purged_at=now)
