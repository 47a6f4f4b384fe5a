from tortoise import migrations
from tortoise.migrations import operations as ops
from models.activities import ActivityKind, HealthResult, MealType
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0013_messaging')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ActivityLabel',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('agency', fields.ForeignKeyField('models.Agency', source_field='agency_id', db_constraint=True, to_field='id', related_name='activity_labels', on_delete=OnDelete.RESTRICT)),
                ('name', fields.CharField(max_length=100)),
                ('kind', fields.CharEnumField(description='HEALTH_CHECK: HEALTH_CHECK\nMEAL: MEAL\nLEARNING: LEARNING\nOTHER: OTHER', enum_type=ActivityKind, max_length=12)),
                ('meal_type', fields.CharEnumField(description='BREAKFAST: BREAKFAST\nAM_SNACK: AM_SNACK\nLUNCH: LUNCH\nPM_SNACK: PM_SNACK\nSUPPER: SUPPER', enum_type=MealType, max_length=9, null=True)),
                ('retired_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'activity_label', 'app': 'models', 'pk_attr': 'id', 'table_description': 'An agency-defined activity staff log for children, such as Lunch or Morning health check.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ChildActivity',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('agency', fields.ForeignKeyField('models.Agency', source_field='agency_id', db_constraint=True, to_field='id', related_name='child_activities', on_delete=OnDelete.RESTRICT)),
                ('child', fields.ForeignKeyField('models.Child', source_field='child_id', db_constraint=True, to_field='id', related_name='activities', on_delete=OnDelete.RESTRICT)),
                ('classroom', fields.ForeignKeyField('models.Classroom', source_field='classroom_id', db_constraint=True, to_field='id', related_name='child_activities', on_delete=OnDelete.RESTRICT)),
                ('label', fields.ForeignKeyField('models.ActivityLabel', source_field='label_id', db_constraint=True, to_field='id', related_name='logged', on_delete=OnDelete.RESTRICT)),
                ('label_name', fields.CharField(max_length=100)),
                ('kind', fields.CharEnumField(description='HEALTH_CHECK: HEALTH_CHECK\nMEAL: MEAL\nLEARNING: LEARNING\nOTHER: OTHER', enum_type=ActivityKind, max_length=12)),
                ('meal_type', fields.CharEnumField(description='BREAKFAST: BREAKFAST\nAM_SNACK: AM_SNACK\nLUNCH: LUNCH\nPM_SNACK: PM_SNACK\nSUPPER: SUPPER', enum_type=MealType, max_length=9, null=True)),
                ('health_result', fields.CharEnumField(description='PASSED: PASSED\nSENT_HOME: SENT_HOME', enum_type=HealthResult, max_length=9, null=True)),
                ('note', fields.TextField(default='', unique=False)),
                ('local_date', fields.DateField(db_index=True)),
                ('occurred_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('recorded_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('logged_by_id', fields.UUIDField()),
                ('logged_by_name', fields.CharField(max_length=201)),
                ('device', fields.CharField(max_length=100)),
                ('client_uuid', fields.UUIDField(null=True, unique=True)),
                ('removed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('removed_by_name', fields.CharField(default='', max_length=201)),
                ('removed_reason', fields.TextField(default='', unique=False)),
            ],
            options={'table': 'child_activity', 'app': 'models', 'pk_attr': 'id', 'table_description': 'One activity logged for one child. Never deleted: a mistaken one is marked removed.'},
            bases=['Model'],
        ),
    ]
