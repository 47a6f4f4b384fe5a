from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from models.people import ContactMethod
from models.signatures import SignatureMethod
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0004_family_accounts')]

    initial = False

    operations = [
        ops.CreateModel(
            name='AttendanceSubmission',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('agency', fields.ForeignKeyField('models.Agency', source_field='agency_id', db_constraint=True, to_field='id', related_name='submissions', on_delete=OnDelete.RESTRICT)),
                ('site', fields.ForeignKeyField('models.Site', source_field='site_id', db_constraint=True, to_field='id', related_name='submissions', on_delete=OnDelete.RESTRICT)),
                ('period_from', fields.DateField()),
                ('period_to', fields.DateField()),
                ('submitted_by', fields.ForeignKeyField('models.StaffUser', source_field='submitted_by_id', db_constraint=True, to_field='id', related_name='submissions', on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'attendance_submission', 'app': 'models', 'pk_attr': 'id', 'table_description': 'Staff submitted the attendance of a site for a period, for every family to sign.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ParentSignature',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('agency', fields.ForeignKeyField('models.Agency', source_field='agency_id', db_constraint=True, to_field='id', related_name='parent_signatures', on_delete=OnDelete.RESTRICT)),
                ('adult', fields.ForeignKeyField('models.FamilyAdult', source_field='adult_id', db_constraint=True, to_field='id', related_name='signatures', on_delete=OnDelete.RESTRICT)),
                ('method', fields.CharEnumField(description='KIOSK_PIN: KIOSK_PIN\nFAMILY_APP: FAMILY_APP\nDRAWN: DRAWN', enum_type=SignatureMethod, max_length=12)),
                ('signed_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('device', fields.CharField(max_length=100)),
                ('content', fields.JSONField(encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('content_hash', fields.CharField(max_length=64)),
                ('strokes', fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('svg', fields.TextField(null=True, unique=False)),
                ('certified', fields.BooleanField(default=False)),
                ('stale_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('reset_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('reset_by', fields.ForeignKeyField('models.StaffUser', source_field='reset_by_id', null=True, db_constraint=True, to_field='id', related_name='reset_signatures', on_delete=OnDelete.RESTRICT)),
            ],
            options={'table': 'parent_signature', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A guardian signature over attendance entries. Only the stale and reset marks change.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SignedEntry',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('signature', fields.ForeignKeyField('models.ParentSignature', source_field='signature_id', db_constraint=True, to_field='id', related_name='entries', on_delete=OnDelete.RESTRICT)),
                ('event', fields.ForeignKeyField('models.AttendanceEvent', source_field='event_id', db_constraint=True, to_field='id', related_name='signed_entries', on_delete=OnDelete.RESTRICT)),
            ],
            options={'table': 'signed_entry', 'app': 'models', 'unique_together': (('signature', 'event'),), 'pk_attr': 'id', 'table_description': 'One attendance event covered by a signature.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SubmissionRequest',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('submission', fields.ForeignKeyField('models.AttendanceSubmission', source_field='submission_id', db_constraint=True, to_field='id', related_name='requests', on_delete=OnDelete.RESTRICT)),
                ('family', fields.ForeignKeyField('models.Family', source_field='family_id', db_constraint=True, to_field='id', related_name='submission_requests', on_delete=OnDelete.RESTRICT)),
                ('adult', fields.ForeignKeyField('models.FamilyAdult', source_field='adult_id', db_constraint=True, to_field='id', related_name='submission_requests', on_delete=OnDelete.RESTRICT)),
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('verified_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('completed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('signature', fields.ForeignKeyField('models.ParentSignature', source_field='signature_id', null=True, db_constraint=True, to_field='id', related_name='submission_requests', on_delete=OnDelete.RESTRICT)),
            ],
            options={'table': 'submission_request', 'app': 'models', 'pk_attr': 'id', 'table_description': 'The link of one family to review and sign a submission, a single-use hashed token.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='VerificationCode',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('request', fields.ForeignKeyField('models.SubmissionRequest', source_field='request_id', db_constraint=True, to_field='id', related_name='verification_codes', on_delete=OnDelete.CASCADE)),
                ('channel', fields.CharEnumField(description='EMAIL: EMAIL\nSMS: SMS', enum_type=ContactMethod, max_length=8)),
                ('destination', fields.CharField(db_index=True, max_length=254)),
                ('code_hash', fields.CharField(max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('attempts', fields.SmallIntField(default=0)),
            ],
            options={'table': 'verification_code', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A code sent by email or SMS to prove who opens a submission link.'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Agency',
            name='submission_requires_verification',
            field=fields.BooleanField(default=False, db_default=False),
        ),
        ops.AddField(
            model_name='AttendanceEvent',
            name='corrects',
            field=fields.ForeignKeyField('models.AttendanceEvent', source_field='corrects_id', null=True, db_constraint=True, to_field='id', related_name='corrections', on_delete=OnDelete.RESTRICT),
        ),
    ]
