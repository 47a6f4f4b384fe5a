from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0010_family_records')]

    initial = False

    operations = [
        ops.CreateModel(
            name='DayClose',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('site', fields.ForeignKeyField('models.Site', source_field='site_id', db_constraint=True, to_field='id', related_name='day_closes', on_delete=OnDelete.RESTRICT)),
                ('local_date', fields.DateField()),
                ('closed_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('signed_out', fields.IntField(default=0)),
            ],
            options={'table': 'day_close', 'app': 'models', 'unique_together': (('site', 'local_date'),), 'pk_attr': 'id', 'table_description': 'The claim that closed one site-local day: unique per site and date, so of several'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Site',
            name='end_of_day_minutes',
            field=fields.SmallIntField(default=1439, db_default=1439),
        ),
    ]
