from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0016_waitlist_accounts')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ReportDownload',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('agency', fields.ForeignKeyField('models.Agency', source_field='agency_id', db_constraint=True, to_field='id', related_name='report_downloads', on_delete=OnDelete.RESTRICT)),
                ('requested_by', fields.UUIDField()),
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('filename', fields.CharField(max_length=200)),
                ('content_type', fields.CharField(max_length=100)),
                ('body', fields.BinaryField()),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'report_download', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A built report. Only a keyed hash of its link token is stored, and it expires soon.'},
            bases=['Model'],
        ),
    ]
