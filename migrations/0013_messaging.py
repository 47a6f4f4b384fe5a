from tortoise import migrations
from tortoise.migrations import operations as ops
from models.messaging import ConversationKind, ParticipantKind
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0012_offline_sync')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Conversation',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('agency', fields.ForeignKeyField('models.Agency', source_field='agency_id', db_constraint=True, to_field='id', related_name='conversations', on_delete=OnDelete.RESTRICT)),
                ('site', fields.ForeignKeyField('models.Site', source_field='site_id', db_constraint=True, to_field='id', related_name='conversations', on_delete=OnDelete.RESTRICT)),
                ('kind', fields.CharEnumField(description='FAMILY: FAMILY\nCLASSROOM: CLASSROOM', enum_type=ConversationKind, max_length=10)),
                ('family', fields.ForeignKeyField('models.Family', source_field='family_id', null=True, db_constraint=True, to_field='id', related_name='conversations', on_delete=OnDelete.RESTRICT)),
                ('classroom', fields.ForeignKeyField('models.Classroom', source_field='classroom_id', null=True, unique=True, db_constraint=True, to_field='id', related_name='announcements', on_delete=OnDelete.RESTRICT)),
                ('last_message_id', fields.BigIntField(null=True)),
                ('last_message_at', fields.DatetimeField(null=True, db_index=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'conversation', 'app': 'models', 'unique_together': (('site', 'family'),), 'pk_attr': 'id', 'table_description': 'A family conversation at a site, or the announcements of a classroom.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ConversationReader',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('conversation', fields.ForeignKeyField('models.Conversation', source_field='conversation_id', db_constraint=True, to_field='id', related_name='readers', on_delete=OnDelete.CASCADE)),
                ('reader_kind', fields.CharEnumField(description='STAFF: STAFF\nPARENT: PARENT', enum_type=ParticipantKind, max_length=8)),
                ('reader_id', fields.UUIDField()),
                ('reader_name', fields.CharField(default='', max_length=201)),
                ('last_read_message_id', fields.BigIntField(default=0)),
                ('read_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('notified_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'conversation_reader', 'app': 'models', 'unique_together': (('conversation', 'reader_kind', 'reader_id'),), 'pk_attr': 'id', 'table_description': 'How far one participant has read a conversation, and when they were last notified.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Message',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('conversation', fields.ForeignKeyField('models.Conversation', source_field='conversation_id', db_constraint=True, to_field='id', related_name='messages', on_delete=OnDelete.RESTRICT)),
                ('sender_kind', fields.CharEnumField(description='STAFF: STAFF\nPARENT: PARENT', enum_type=ParticipantKind, max_length=8)),
                ('sender_id', fields.UUIDField()),
                ('sender_name', fields.CharField(max_length=201)),
                ('body', fields.TextField(unique=False)),
                ('sent_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'message', 'app': 'models', 'indexes': [Index(fields=['conversation_id', 'id'])], 'pk_attr': 'id', 'table_description': 'One message, stored exactly as typed. Its increasing id orders history and reads.'},
            bases=['Model'],
        ),
    ]
