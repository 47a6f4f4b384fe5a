from tortoise import migrations
from tortoise.migrations import operations as ops
from models.documents import DocumentDirection
from models.messaging import ParticipantKind
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0017_reports')]

    initial = False

    operations = [
        ops.CreateModel(
            name='StoredFile',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('owner_kind', fields.CharEnumField(description='STAFF: STAFF\nPARENT: PARENT', enum_type=ParticipantKind, max_length=8)),
                ('owner_id', fields.UUIDField()),
                ('content_type', fields.CharField(max_length=40)),
                ('name', fields.CharField(max_length=120)),
                ('size', fields.IntField()),
                ('width', fields.IntField(null=True)),
                ('height', fields.IntField(null=True)),
                ('storage_key', fields.CharField(unique=True, max_length=100)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('claimed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('message', fields.ForeignKeyField('models.Message', source_field='message_id', null=True, db_constraint=True, to_field='id', related_name='attachments', on_delete=OnDelete.RESTRICT)),
            ],
            options={'table': 'stored_file', 'app': 'models', 'indexes': [Index(fields=['owner_kind', 'owner_id', 'created_at'])], 'pk_attr': 'id', 'table_description': 'One uploaded file. Its bytes live in the file storage under storage_key.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='FamilyDocument',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('agency', fields.ForeignKeyField('models.Agency', source_field='agency_id', db_constraint=True, to_field='id', related_name='family_documents', on_delete=OnDelete.RESTRICT)),
                ('family', fields.ForeignKeyField('models.Family', source_field='family_id', db_constraint=True, to_field='id', related_name='documents', on_delete=OnDelete.RESTRICT)),
                ('direction', fields.CharEnumField(description='TO_FAMILY: TO_FAMILY\nFROM_FAMILY: FROM_FAMILY', enum_type=DocumentDirection, max_length=12)),
                ('title', fields.CharField(max_length=200)),
                ('file', fields.OneToOneField('models.StoredFile', source_field='file_id', db_constraint=True, to_field='id', related_name='document', on_delete=OnDelete.RESTRICT)),
                ('posted_by_kind', fields.CharEnumField(description='STAFF: STAFF\nPARENT: PARENT', enum_type=ParticipantKind, max_length=8)),
                ('posted_by_id', fields.UUIDField()),
                ('posted_by_name', fields.CharField(max_length=201)),
                ('posted_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'family_document', 'app': 'models', 'indexes': [Index(fields=['family_id', 'posted_at'])], 'pk_attr': 'id', 'table_description': 'A document a family and the staff of its agency both see.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Moment',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('agency', fields.ForeignKeyField('models.Agency', source_field='agency_id', db_constraint=True, to_field='id', related_name='moments', on_delete=OnDelete.RESTRICT)),
                ('site', fields.ForeignKeyField('models.Site', source_field='site_id', db_constraint=True, to_field='id', related_name='moments', on_delete=OnDelete.RESTRICT)),
                ('child', fields.ForeignKeyField('models.Child', source_field='child_id', null=True, db_constraint=True, to_field='id', related_name='moments', on_delete=OnDelete.RESTRICT)),
                ('classroom', fields.ForeignKeyField('models.Classroom', source_field='classroom_id', null=True, db_constraint=True, to_field='id', related_name='moments', on_delete=OnDelete.RESTRICT)),
                ('caption', fields.TextField(unique=False)),
                ('photo', fields.OneToOneField('models.StoredFile', source_field='photo_id', db_constraint=True, to_field='id', related_name='moment', on_delete=OnDelete.RESTRICT)),
                ('posted_by_id', fields.UUIDField()),
                ('posted_by_name', fields.CharField(max_length=201)),
                ('posted_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'moment', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A shared photo. Exactly one of child and classroom is set.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='MomentFamily',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('moment', fields.ForeignKeyField('models.Moment', source_field='moment_id', db_constraint=True, to_field='id', related_name='families', on_delete=OnDelete.CASCADE)),
                ('family', fields.ForeignKeyField('models.Family', source_field='family_id', db_constraint=True, to_field='id', related_name='moments', on_delete=OnDelete.RESTRICT)),
                ('posted_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'moment_family', 'app': 'models', 'unique_together': (('moment', 'family'),), 'indexes': [Index(fields=['family_id', 'posted_at'])], 'pk_attr': 'id', 'table_description': 'A family that sees a moment: the child family, or each family of the classroom'},
            bases=['Model'],
        ),
    ]
