from tortoise import migrations
from tortoise.migrations import operations as ops
from models.people import ContactMethod
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0015_waitlist')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ApplicationInvitation',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('application', fields.ForeignKeyField('models.Application', source_field='application_id', db_constraint=True, to_field='id', related_name='invitations', on_delete=OnDelete.CASCADE)),
                ('invited_by', fields.ForeignKeyField('models.StaffUser', source_field='invited_by_id', null=True, db_constraint=True, to_field='id', related_name='sent_application_invitations', on_delete=OnDelete.SET_NULL)),
                ('channel', fields.CharEnumField(description='EMAIL: EMAIL\nSMS: SMS', enum_type=ContactMethod, max_length=5)),
                ('code_hash', fields.CharField(unique=True, max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('superseded_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'application_invitation', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A code sent to an applying family that links its application to a family account,'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ApplicationLink',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('application', fields.OneToOneField('models.Application', source_field='application_id', db_constraint=True, to_field='id', related_name='account_link', on_delete=OnDelete.CASCADE)),
                ('account', fields.ForeignKeyField('models.FamilyAccount', source_field='account_id', db_constraint=True, to_field='id', related_name='application_links', on_delete=OnDelete.CASCADE)),
                ('linked_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'application_link', 'app': 'models', 'pk_attr': 'id', 'table_description': 'The family account an application is linked to, at most one. Unlinking deletes the'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ApplicationOffer',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('application', fields.ForeignKeyField('models.Application', source_field='application_id', db_constraint=True, to_field='id', related_name='offers', on_delete=OnDelete.CASCADE)),
                ('site', fields.ForeignKeyField('models.Site', source_field='site_id', db_constraint=True, to_field='id', related_name='application_offers', on_delete=OnDelete.RESTRICT)),
                ('starts_on', fields.DateField()),
                ('offered_by', fields.ForeignKeyField('models.StaffUser', source_field='offered_by_id', null=True, db_constraint=True, to_field='id', related_name='application_offers', on_delete=OnDelete.SET_NULL)),
                ('offered_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('answered_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('family', fields.ForeignKeyField('models.Family', source_field='family_id', null=True, db_constraint=True, to_field='id', related_name='application_offers', on_delete=OnDelete.SET_NULL)),
            ],
            options={'table': 'application_offer', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A place offered to an application: the site and first day. The latest one counts.'},
            bases=['Model'],
        ),
    ]
