from tortoise import migrations
from tortoise.migrations import operations as ops
from models.access import SessionKind
from models.family_accounts import LoginKind
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields


class AlterEnumComment(ops.AlterField):
    """A new enum value changes only the column's comment (its list of values).

    PostgreSQL updates the comment in place. SQLite would rebuild auth_session to rewrite
    a comment it never reads, so there only the migration state moves forward.
    """

    async def database_forward(self, app_label, old_state, new_state, state_editor=None):
        if state_editor is None or state_editor.DIALECT == "sqlite":
            return
        await super().database_forward(app_label, old_state, new_state, state_editor)

    async def database_backward(self, app_label, old_state, new_state, state_editor=None):
        if state_editor is None or state_editor.DIALECT == "sqlite":
            return
        await super().database_backward(app_label, old_state, new_state, state_editor)


class Migration(migrations.Migration):
    dependencies = [('models', '0003_kiosk_pins_outbox')]

    initial = False

    operations = [
        ops.CreateModel(
            name='FamilyAccount',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('login', fields.CharField(unique=True, max_length=254)),
                ('login_kind', fields.CharEnumField(description='EMAIL: EMAIL\nPHONE: PHONE', enum_type=LoginKind, max_length=8)),
                ('password_hash', fields.CharField(max_length=200)),
                ('is_active', fields.BooleanField(default=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'family_account', 'app': 'models', 'pk_attr': 'id', 'table_description': "A parent's login: a normalized email address or an E.164 phone number."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='GuardianLink',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('account', fields.ForeignKeyField('models.FamilyAccount', source_field='account_id', db_constraint=True, to_field='id', related_name='links', on_delete=OnDelete.CASCADE)),
                ('adult', fields.OneToOneField('models.FamilyAdult', source_field='adult_id', db_constraint=True, to_field='id', related_name='account_link', on_delete=OnDelete.CASCADE)),
                ('linked_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'guardian_link', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A guardian reached by a family account. One account per guardian, at most.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Invitation',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('agency', fields.ForeignKeyField('models.Agency', source_field='agency_id', db_constraint=True, to_field='id', related_name='invitations', on_delete=OnDelete.RESTRICT)),
                ('adult', fields.ForeignKeyField('models.FamilyAdult', source_field='adult_id', db_constraint=True, to_field='id', related_name='invitations', on_delete=OnDelete.CASCADE)),
                ('invited_by', fields.ForeignKeyField('models.StaffUser', source_field='invited_by_id', null=True, db_constraint=True, to_field='id', related_name='sent_invitations', on_delete=OnDelete.SET_NULL)),
                ('code_hash', fields.CharField(unique=True, max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('used_by', fields.ForeignKeyField('models.FamilyAccount', source_field='used_by_id', null=True, db_constraint=True, to_field='id', related_name='used_invitations', on_delete=OnDelete.SET_NULL)),
                ('superseded_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'invitation', 'app': 'models', 'pk_attr': 'id', 'table_description': 'An invitation code sent to a guardian, valid 14 days and usable once.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PasswordReset',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('account', fields.ForeignKeyField('models.FamilyAccount', source_field='account_id', db_constraint=True, to_field='id', related_name='password_resets', on_delete=OnDelete.CASCADE)),
                ('code_hash', fields.CharField(max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('attempts', fields.SmallIntField(default=0)),
            ],
            options={'table': 'password_reset', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A short-lived code that lets an account holder choose a new password.'},
            bases=['Model'],
        ),
        AlterEnumComment(
            model_name='AuthSession',
            name='kind',
            field=fields.CharEnumField(description='STAFF: STAFF\nKIOSK: KIOSK\nPARENT: PARENT', enum_type=SessionKind, max_length=8),
        ),
        ops.AddField(
            model_name='AuthSession',
            name='account',
            field=fields.ForeignKeyField('models.FamilyAccount', source_field='account_id', null=True, db_constraint=True, to_field='id', related_name='sessions', on_delete=OnDelete.CASCADE),
        ),
    ]
