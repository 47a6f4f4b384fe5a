from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0007_staff_accounts')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Program',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('agency', fields.ForeignKeyField('models.Agency', source_field='agency_id', db_constraint=True, to_field='id', related_name='programs', on_delete=OnDelete.RESTRICT)),
                ('name', fields.CharField(max_length=100)),
                ('archived_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'program', 'app': 'models', 'pk_attr': 'id', 'table_description': 'An agency-defined label on enrollments, such as Pre-K or a subsidy program.'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Classroom',
            name='archived_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Enrollment',
            name='program',
            field=fields.ForeignKeyField('models.Program', source_field='program_id', null=True, db_constraint=True, to_field='id', related_name='enrollments', on_delete=OnDelete.RESTRICT),
        ),
        ops.AddField(
            model_name='Site',
            name='address',
            field=fields.CharField(default='', db_default='', max_length=300),
        ),
        ops.AddField(
            model_name='Site',
            name='archived_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
    ]
