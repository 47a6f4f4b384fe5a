"""Channel names, built only here so publishers and subscribers always agree."""

from __future__ import annotations

from uuid import UUID


def classroom_roster(classroom_id: UUID | str) -> str:
    return f"classroom:{classroom_id}"


def site_counts(site_id: UUID | str) -> str:
    return f"site:{site_id}:counts"


def site_alerts(site_id: UUID | str) -> str:
    """Where staff of a site hear about locked kiosks."""
    return f"site:{site_id}:alerts"


def access(principal_id: UUID | str) -> str:
    """Where a principal's logout, role change or revocation is announced."""
    return f"access:{principal_id}"


def site_messages(site_id: UUID | str) -> str:
    """Every message and read receipt of a site's conversations, for its Messaging staff."""
    return f"site:{site_id}:messages"


def parent_messages(account_id: UUID | str) -> str:
    """A family account's messages and receipts. Someone listening here means the parent
    is connected, so no email or SMS is sent about what arrives (services/message_notices)."""
    return f"parent:{account_id}:messages"
