from tortoise import migrations
from tortoise.migrations import operations as ops
from models.access import PasswordTokenKind
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0006_throttle_counters')]

    initial = False

    operations = [
        ops.CreateModel(
            name='StaffPasswordToken',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('staff', fields.ForeignKeyField('models.StaffUser', source_field='staff_id', db_constraint=True, to_field='id', related_name='password_tokens', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharEnumField(description='INVITATION: INVITATION\nRESET: RESET', enum_type=PasswordTokenKind, max_length=12)),
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('superseded_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'staff_password_token', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A set-password link sent to a staff member: an invitation or a reset.'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Agency',
            name='timezone',
            field=fields.CharField(default='UTC', db_default='UTC', max_length=64),
        ),
    ]
