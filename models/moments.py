"""Moments: a photo and a caption staff share with one child's family or a classroom."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from models.files import StoredFile
from models.org import Agency, Classroom, Site
from models.people import Child, Family


class Moment(Model):
    """A shared photo. Exactly one of child and classroom is set."""

    id = fields.UUIDField(primary_key=True)
    agency: fields.ForeignKeyRelation[Agency] = fields.ForeignKeyField(
        "models.Agency", related_name="moments", on_delete=fields.RESTRICT
    )
    site: fields.ForeignKeyRelation[Site] = fields.ForeignKeyField(
        "models.Site", related_name="moments", on_delete=fields.RESTRICT
    )
    child: fields.ForeignKeyNullableRelation[Child] = fields.ForeignKeyField(
        "models.Child", related_name="moments", null=True, on_delete=fields.RESTRICT
    )
    classroom: fields.ForeignKeyNullableRelation[Classroom] = fields.ForeignKeyField(
        "models.Classroom", related_name="moments", null=True, on_delete=fields.RESTRICT
    )
    caption = fields.TextField()
    photo: fields.OneToOneRelation[StoredFile] = fields.OneToOneField(
        "models.StoredFile", related_name="moment", on_delete=fields.RESTRICT
    )
    posted_by_id = fields.UUIDField()
    posted_by_name = fields.CharField(max_length=201)
    posted_at = fields.DatetimeField(db_index=True)
    # A tombstone: the caption and the photo are gone from every reader.
    deleted_at = fields.DatetimeField(null=True)

    agency_id: str
    site_id: str
    child_id: str | None
    classroom_id: str | None
    photo_id: str

    class Meta:
        table = "moment"


class MomentFamily(Model):
    """A family that sees a moment: the child family, or each family of the classroom
    on the day it was shared. Nothing here names the other children."""

    id = fields.BigIntField(primary_key=True)
    moment: fields.ForeignKeyRelation[Moment] = fields.ForeignKeyField(
        "models.Moment", related_name="families", on_delete=fields.CASCADE
    )
    family: fields.ForeignKeyRelation[Family] = fields.ForeignKeyField(
        "models.Family", related_name="moments", on_delete=fields.RESTRICT
    )
    posted_at = fields.DatetimeField()

    moment_id: str
    family_id: str

    class Meta:
        table = "moment_family"
        unique_together = (("moment", "family"),)
        indexes = (("family_id", "posted_at"),)
