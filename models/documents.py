"""Documents between a family and its agency: posted by staff, or submitted by parents."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from models.files import StoredFile
from models.messaging import ParticipantKind
from models.org import Agency
from models.people import Family


class DocumentDirection(StrEnum):
    # Staff posted it for the family (a form to sign, a handbook).
    TO_FAMILY = "TO_FAMILY"
    # A guardian submitted it (a doctor note, an immunisation record).
    FROM_FAMILY = "FROM_FAMILY"


class FamilyDocument(Model):
    """A document a family and the staff of its agency both see."""

    id = fields.UUIDField(primary_key=True)
    agency: fields.ForeignKeyRelation[Agency] = fields.ForeignKeyField(
        "models.Agency", related_name="family_documents", on_delete=fields.RESTRICT
    )
    family: fields.ForeignKeyRelation[Family] = fields.ForeignKeyField(
        "models.Family", related_name="documents", on_delete=fields.RESTRICT
    )
    direction = fields.CharEnumField(DocumentDirection, max_length=12)
    title = fields.CharField(max_length=200)
    file: fields.OneToOneRelation[StoredFile] = fields.OneToOneField(
        "models.StoredFile", related_name="document", on_delete=fields.RESTRICT
    )
    posted_by_kind = fields.CharEnumField(ParticipantKind, max_length=8)
    posted_by_id = fields.UUIDField()
    posted_by_name = fields.CharField(max_length=201)
    posted_at = fields.DatetimeField()
    # A tombstone: the title and the file are gone from every reader.
    deleted_at = fields.DatetimeField(null=True)

    agency_id: str
    family_id: str
    file_id: str

    class Meta:
        table = "family_document"
        indexes = (("family_id", "posted_at"),)
