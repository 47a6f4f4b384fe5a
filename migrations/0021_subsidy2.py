from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0020_waitlist3')]

    initial = False

    operations = [
        ops.AddIndex(
            model_name='SubsidyAttempt',
            index=Index(fields=['keep_until']),
        ),
    ]
