from tortoise import migrations
from tortoise.migrations import operations as ops
from models.access import SessionKind
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0001_initial')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Kiosk',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('site', fields.ForeignKeyField('models.Site', source_field='site_id', db_constraint=True, to_field='id', related_name='kiosks', on_delete=OnDelete.RESTRICT)),
                ('name', fields.CharField(max_length=100)),
                ('paired_by', fields.ForeignKeyField('models.StaffUser', source_field='paired_by_id', db_constraint=True, to_field='id', related_name='paired_kiosks', on_delete=OnDelete.RESTRICT)),
                ('paired_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'kiosk', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A paired tablet. Revoking it ends its device token at once, open sockets included.'},
            bases=['Model'],
        ),
        ops.AlterField(
            model_name='AuthSession',
            name='kind',
            field=fields.CharEnumField(description='STAFF: STAFF\nKIOSK: KIOSK', enum_type=SessionKind, max_length=8),
        ),
        ops.AddField(
            model_name='AuthSession',
            name='kiosk',
            field=fields.ForeignKeyField('models.Kiosk', source_field='kiosk_id', null=True, db_constraint=True, to_field='id', related_name='sessions', on_delete=OnDelete.CASCADE),
        ),
    ]
