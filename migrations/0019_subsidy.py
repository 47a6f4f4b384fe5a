from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from models.subsidy import AttemptOutcome, MatchStatus, SendCause
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0018_files')]

    initial = False

    operations = [
        ops.CreateModel(
            name='SubsidyConnection',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('agency', fields.ForeignKeyField('models.Agency', source_field='agency_id', db_constraint=True, to_field='id', related_name='subsidy_connections', on_delete=OnDelete.RESTRICT)),
                ('site', fields.OneToOneField('models.Site', source_field='site_id', db_constraint=True, to_field='id', related_name='subsidy_connection', on_delete=OnDelete.RESTRICT)),
                ('provider_id', fields.CharField(max_length=64)),
                ('password_sealed', fields.TextField(null=True, unique=False)),
                ('connected_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('connected_by', fields.ForeignKeyField('models.StaffUser', source_field='connected_by_id', null=True, db_constraint=True, to_field='id', related_name='subsidy_connections', on_delete=OnDelete.RESTRICT)),
                ('disconnected_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('state_children', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('children_fetched_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('fetch_error', fields.CharField(default='', max_length=500)),
                ('match_requested_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'subsidy_connection', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A site linked to the state system. The password is sealed with the server key.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SubsidyDay',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('agency', fields.ForeignKeyField('models.Agency', source_field='agency_id', db_constraint=True, to_field='id', related_name='subsidy_days', on_delete=OnDelete.RESTRICT)),
                ('site', fields.ForeignKeyField('models.Site', source_field='site_id', db_constraint=True, to_field='id', related_name='subsidy_days', on_delete=OnDelete.RESTRICT)),
                ('child', fields.ForeignKeyField('models.Child', source_field='child_id', db_constraint=True, to_field='id', related_name='subsidy_days', on_delete=OnDelete.RESTRICT)),
                ('local_date', fields.DateField()),
                ('transferred_hash', fields.CharField(null=True, max_length=64)),
                ('attempted_hash', fields.CharField(null=True, max_length=64)),
                ('last_outcome', fields.CharEnumField(null=True, description='TRANSFERRED: TRANSFERRED\nERROR: ERROR\nRETRY: RETRY', enum_type=AttemptOutcome, max_length=12)),
                ('last_error', fields.CharField(default='', max_length=500)),
                ('last_attempt_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('requested_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('requested_cause', fields.CharEnumField(null=True, description='CHECK_OUT: CHECK_OUT\nWEEKLY: WEEKLY\nMONTHLY: MONTHLY\nMANUAL: MANUAL', enum_type=SendCause, max_length=10)),
                ('retry_after', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('claimed_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'subsidy_day', 'app': 'models', 'unique_together': (('site', 'child', 'local_date'),), 'pk_attr': 'id', 'table_description': 'One child-day known to the export: what was last sent and how the state answered.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SubsidyAttempt',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('day', fields.ForeignKeyField('models.SubsidyDay', source_field='day_id', db_constraint=True, to_field='id', related_name='attempts', on_delete=OnDelete.RESTRICT)),
                ('agency', fields.ForeignKeyField('models.Agency', source_field='agency_id', db_constraint=True, to_field='id', related_name='subsidy_attempts', on_delete=OnDelete.RESTRICT)),
                ('cause', fields.CharEnumField(description='CHECK_OUT: CHECK_OUT\nWEEKLY: WEEKLY\nMONTHLY: MONTHLY\nMANUAL: MANUAL', enum_type=SendCause, max_length=10)),
                ('started_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('provider_id', fields.CharField(max_length=64)),
                ('state_child_id', fields.CharField(max_length=64)),
                ('idempotency_key', fields.CharField(max_length=200)),
                ('sent', fields.JSONField(encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('content_hash', fields.CharField(max_length=64)),
                ('outcome', fields.CharEnumField(description='TRANSFERRED: TRANSFERRED\nERROR: ERROR\nRETRY: RETRY', enum_type=AttemptOutcome, max_length=12)),
                ('answer_code', fields.CharField(max_length=32)),
                ('answer_message', fields.CharField(default='', max_length=500)),
                ('answer_text', fields.TextField(default='', unique=False)),
                ('receipt', fields.CharField(null=True, max_length=200)),
                ('keep_until', fields.DateField()),
            ],
            options={'table': 'subsidy_attempt', 'app': 'models', 'pk_attr': 'id', 'table_description': 'One transmission of a child-day: what was sent, its hash, and what came back.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SubsidyMatch',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('connection', fields.ForeignKeyField('models.SubsidyConnection', source_field='connection_id', db_constraint=True, to_field='id', related_name='matches', on_delete=OnDelete.CASCADE)),
                ('child', fields.ForeignKeyField('models.Child', source_field='child_id', db_constraint=True, to_field='id', related_name='subsidy_matches', on_delete=OnDelete.RESTRICT)),
                ('status', fields.CharEnumField(description='MATCHED: MATCHED\nNOT_FOUND: NOT_FOUND\nNEEDS_REVIEW: NEEDS_REVIEW', enum_type=MatchStatus, max_length=12)),
                ('state_id', fields.CharField(null=True, max_length=64)),
                ('method', fields.CharField(default='', max_length=10)),
                ('candidates', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('fingerprint', fields.CharField(default='', max_length=64)),
                ('manual', fields.BooleanField(default=False)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'subsidy_match', 'app': 'models', 'unique_together': (('connection', 'child'),), 'pk_attr': 'id', 'table_description': 'Which state record a child is, at one connected site, and how that was decided.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SubsidySweep',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('site', fields.ForeignKeyField('models.Site', source_field='site_id', db_constraint=True, to_field='id', related_name='subsidy_sweeps', on_delete=OnDelete.RESTRICT)),
                ('cause', fields.CharEnumField(description='CHECK_OUT: CHECK_OUT\nWEEKLY: WEEKLY\nMONTHLY: MONTHLY\nMANUAL: MANUAL', enum_type=SendCause, max_length=10)),
                ('period_start', fields.DateField()),
                ('period_end', fields.DateField()),
                ('claimed_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'subsidy_sweep', 'app': 'models', 'unique_together': (('site', 'cause', 'period_start'),), 'pk_attr': 'id', 'table_description': 'The claim of one weekly or month-end re-send of a site: unique, so once per site'},
            bases=['Model'],
        ),
    ]
