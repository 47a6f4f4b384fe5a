from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from models.people import ContactMethod, Language
from models.waitlist import ApplicationStatus, QuestionKind
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0014_activities')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Application',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('agency', fields.ForeignKeyField('models.Agency', source_field='agency_id', db_constraint=True, to_field='id', related_name='applications', on_delete=OnDelete.RESTRICT)),
                ('number', fields.IntField()),
                ('status', fields.CharEnumField(default=ApplicationStatus.SUBMITTED, db_index=True, description='SUBMITTED: SUBMITTED\nWAITLISTED: WAITLISTED\nOFFERED: OFFERED\nACCEPTED: ACCEPTED\nDECLINED: DECLINED\nWITHDRAWN: WITHDRAWN\nENROLLED: ENROLLED', enum_type=ApplicationStatus, max_length=10)),
                ('family_name', fields.CharField(db_index=True, max_length=100)),
                ('children', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('guardians', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('language', fields.CharEnumField(description='EN: en\nES: es', enum_type=Language, max_length=2)),
                ('contact_method', fields.CharEnumField(description='EMAIL: EMAIL\nSMS: SMS', enum_type=ContactMethod, max_length=5)),
                ('desired_start', fields.DateField()),
                ('program', fields.ForeignKeyField('models.Program', source_field='program_id', null=True, db_constraint=True, to_field='id', related_name='applications', on_delete=OnDelete.RESTRICT)),
                ('answers', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('priority_rank', fields.SmallIntField(null=True)),
                ('priority_flag_ids', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('submitted_by', fields.ForeignKeyField('models.StaffUser', source_field='submitted_by_id', null=True, db_constraint=True, to_field='id', related_name='applications', on_delete=OnDelete.RESTRICT)),
                ('submitted_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'application', 'app': 'models', 'unique_together': (('agency', 'number'),), 'pk_attr': 'id', 'table_description': 'One family asking for places, numbered per agency.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ApplicationQuestion',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('agency', fields.ForeignKeyField('models.Agency', source_field='agency_id', db_constraint=True, to_field='id', related_name='application_questions', on_delete=OnDelete.RESTRICT)),
                ('prompt', fields.CharField(max_length=300)),
                ('kind', fields.CharEnumField(description='TEXT: TEXT\nYES_NO: YES_NO\nCHOICE: CHOICE', enum_type=QuestionKind, max_length=8)),
                ('choices', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('required', fields.BooleanField(default=False)),
                ('position', fields.SmallIntField()),
                ('archived_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'application_question', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A question an agency asks on its application form.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ApplicationSite',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('application', fields.ForeignKeyField('models.Application', source_field='application_id', db_constraint=True, to_field='id', related_name='sites', on_delete=OnDelete.CASCADE)),
                ('site', fields.ForeignKeyField('models.Site', source_field='site_id', db_constraint=True, to_field='id', related_name='applications', on_delete=OnDelete.RESTRICT)),
            ],
            options={'table': 'application_site', 'app': 'models', 'unique_together': (('application', 'site'),), 'pk_attr': 'id', 'table_description': 'A site an application asks for.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PriorityFlag',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('agency', fields.ForeignKeyField('models.Agency', source_field='agency_id', db_constraint=True, to_field='id', related_name='priority_flags', on_delete=OnDelete.RESTRICT)),
                ('name', fields.CharField(max_length=100)),
                ('rank', fields.SmallIntField()),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'priority_flag', 'app': 'models', 'unique_together': (('agency', 'name'),), 'pk_attr': 'id', 'table_description': 'An agency-defined reason to rank an application first (a sibling, a subsidy).'},
            bases=['Model'],
        ),
    ]
