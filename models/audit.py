"""The append-only audit log, written in the same transaction as the change it records."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.models import Model

from models.org import Agency


class AuditLogIsAppendOnly(Exception):
    pass


class AuditEntry(Model):
    id = fields.UUIDField(primary_key=True)
    agency: fields.ForeignKeyNullableRelation[Agency] = fields.ForeignKeyField(
        "models.Agency", related_name="audit_entries", null=True, on_delete=fields.RESTRICT
    )
    at = fields.DatetimeField(auto_now_add=True)
    # A dotted verb from a small vocabulary, e.g. "attendance.sign_in", "authn.login_fail".
    action = fields.CharField(max_length=64, db_index=True)
    actor_kind = fields.CharField(max_length=16)
    actor_id = fields.CharField(max_length=64, null=True)
    operator_id = fields.CharField(max_length=64, null=True)
    device = fields.CharField(max_length=100, default="")
    ip_address = fields.CharField(max_length=64, default="")
    target_type = fields.CharField(max_length=32, default="")
    target_id = fields.CharField(max_length=64, null=True, db_index=True)
    # Before/after values and context. Never secrets: no PINs, passwords, codes or tokens.
    data: dict[str, Any] = fields.JSONField(default=dict)

    agency_id: str | None

    class Meta:
        table = "audit_entry"

    async def save(
        self,
        using_db: BaseDBAsyncClient | None = None,
        update_fields: Any = None,
        force_create: bool = False,
        force_update: bool = False,
    ) -> None:
        if not self._saved_in_db or force_create:
            await super().save(using_db, update_fields, force_create=force_create)
            return
        raise AuditLogIsAppendOnly("audit entries are never changed")

    async def delete(self, using_db: BaseDBAsyncClient | None = None) -> None:
        raise AuditLogIsAppendOnly("audit entries are never deleted")
