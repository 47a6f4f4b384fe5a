from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0019_subsidy')]

    initial = False

    operations = [
        ops.AddField(
            model_name='ApplicationOffer',
            name='accepted',
            field=fields.BooleanField(null=True),
        ),
        # Offers answered before the column existed: the application's status tells.
        ops.RunSQL(
            "UPDATE application_offer SET accepted = ("
            "SELECT status IN ('ACCEPTED', 'ENROLLED') FROM application "
            "WHERE application.id = application_offer.application_id) "
            "WHERE answered_at IS NOT NULL AND accepted IS NULL",
            reverse_sql="SELECT 1",
        ),
    ]
