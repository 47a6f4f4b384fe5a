from tortoise import migrations
from tortoise.migrations import operations as ops
from models.sync import ConflictReason, ConflictStatus
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0011_day_close')]

    initial = False

    operations = [
        ops.CreateModel(
            name='SyncConflict',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('agency', fields.ForeignKeyField('models.Agency', source_field='agency_id', db_constraint=True, to_field='id', related_name='sync_conflicts', on_delete=OnDelete.RESTRICT)),
                ('site', fields.ForeignKeyField('models.Site', source_field='site_id', db_constraint=True, to_field='id', related_name='sync_conflicts', on_delete=OnDelete.RESTRICT)),
                ('child', fields.ForeignKeyField('models.Child', source_field='child_id', db_constraint=True, to_field='id', related_name='sync_conflicts', on_delete=OnDelete.RESTRICT)),
                ('event', fields.OneToOneField('models.AttendanceEvent', source_field='event_id', db_constraint=True, to_field='id', related_name='sync_conflict', on_delete=OnDelete.RESTRICT)),
                ('local_date', fields.DateField(db_index=True)),
                ('reason', fields.CharEnumField(description='NOT_SIGNED_IN: NOT_SIGNED_IN\nALREADY_SIGNED_IN: ALREADY_SIGNED_IN\nALREADY_ATTENDED: ALREADY_ATTENDED\nALREADY_ABSENT: ALREADY_ABSENT', enum_type=ConflictReason, max_length=20)),
                ('status', fields.CharEnumField(default=ConflictStatus.OPEN, description='OPEN: OPEN\nSETTLED: SETTLED\nACCEPTED: ACCEPTED\nDISMISSED: DISMISSED', enum_type=ConflictStatus, max_length=10)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('decided_by', fields.ForeignKeyField('models.StaffUser', source_field='decided_by_id', null=True, db_constraint=True, to_field='id', related_name='sync_decisions', on_delete=OnDelete.RESTRICT)),
                ('decided_by_name', fields.CharField(null=True, max_length=200)),
                ('note', fields.CharField(default='', max_length=500)),
            ],
            options={'table': 'sync_conflict', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A recorded event the time-ordered child-day cannot place, and the staff decision.'},
            bases=['Model'],
        ),
    ]
