from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0008_sites_programs')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Child',
            name='notes',
            field=fields.TextField(null=True, unique=False),
        ),
        ops.AddField(
            model_name='Child',
            name='site',
            field=fields.ForeignKeyField('models.Site', source_field='site_id', null=True, db_constraint=True, to_field='id', related_name='registered_children', on_delete=OnDelete.RESTRICT),
        ),
    ]
