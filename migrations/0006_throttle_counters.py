from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0005_signatures_submissions')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ThrottleCounter',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('key', fields.CharField(unique=True, max_length=300)),
                ('attempts', fields.IntField()),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False, db_index=True)),
            ],
            options={'table': 'throttle_counter', 'app': 'models', 'pk_attr': 'id', 'table_description': 'Attempts made under one throttle key in its current window.'},
            bases=['Model'],
        ),
    ]
