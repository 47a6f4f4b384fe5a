from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from models.kiosk import PinPurpose
from models.notifications import DeliveryStatus
from models.org import ContactlessMode
from models.people import ContactMethod, Language
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields

async def _move_staff_pins(apps, schema_editor):
    """Staff PINs move from staff_user into pin_credential, shared with family adults."""
    await schema_editor.client.execute_script(
        "INSERT INTO pin_credential (agency_id, lookup, encrypted, staff_id, created_at) "
        "SELECT agency_id, pin_lookup, pin_encrypted, id, created_at FROM staff_user "
        "WHERE pin_lookup IS NOT NULL AND pin_encrypted IS NOT NULL; "
        "UPDATE staff_user SET pin_lookup = NULL, pin_encrypted = NULL"
    )


class Migration(migrations.Migration):
    dependencies = [('models', '0002_kiosks')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Notification',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('agency', fields.ForeignKeyField('models.Agency', source_field='agency_id', null=True, db_constraint=True, to_field='id', related_name='notifications', on_delete=OnDelete.RESTRICT)),
                ('channel', fields.CharEnumField(description='EMAIL: EMAIL\nSMS: SMS', enum_type=ContactMethod, max_length=8)),
                ('destination', fields.CharField(db_index=True, max_length=254)),
                ('language', fields.CharEnumField(description='EN: en\nES: es', enum_type=Language, max_length=2)),
                ('template', fields.CharField(max_length=64)),
                ('params', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('secret_params', fields.TextField(null=True, unique=False)),
                ('dedupe_key', fields.CharField(unique=True, max_length=200)),
                ('status', fields.CharEnumField(default=DeliveryStatus.PENDING, db_index=True, description='PENDING: PENDING\nSENT: SENT\nFAILED: FAILED', enum_type=DeliveryStatus, max_length=8)),
                ('attempts', fields.SmallIntField(default=0)),
                ('next_attempt_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('claimed_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('sent_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('last_error', fields.TextField(default='', unique=False)),
                ('provider_message_id', fields.CharField(null=True, max_length=200)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'notification', 'app': 'models', 'pk_attr': 'id', 'table_description': 'One message to one destination, delivered by the worker with retries.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='DeliveryAttempt',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('notification', fields.ForeignKeyField('models.Notification', source_field='notification_id', db_constraint=True, to_field='id', related_name='delivery_attempts', on_delete=OnDelete.CASCADE)),
                ('started_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('finished_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('succeeded', fields.BooleanField()),
                ('error', fields.TextField(default='', unique=False)),
            ],
            options={'table': 'delivery_attempt', 'app': 'models', 'pk_attr': 'id', 'table_description': 'The outcome of one try at delivering a notification.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PinCredential',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('agency', fields.ForeignKeyField('models.Agency', source_field='agency_id', db_constraint=True, to_field='id', related_name='pins', on_delete=OnDelete.RESTRICT)),
                ('lookup', fields.CharField(unique=True, max_length=64)),
                ('encrypted', fields.TextField(unique=False)),
                ('staff', fields.OneToOneField('models.StaffUser', source_field='staff_id', null=True, db_constraint=True, to_field='id', related_name='pin', on_delete=OnDelete.CASCADE)),
                ('adult', fields.OneToOneField('models.FamilyAdult', source_field='adult_id', null=True, db_constraint=True, to_field='id', related_name='pin', on_delete=OnDelete.CASCADE)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'pin_credential', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A PIN held by one staff member or one family adult, never both.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PinFailure',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('kiosk', fields.ForeignKeyField('models.Kiosk', source_field='kiosk_id', db_constraint=True, to_field='id', related_name='pin_failures', on_delete=OnDelete.CASCADE)),
                ('site', fields.ForeignKeyField('models.Site', source_field='site_id', db_constraint=True, to_field='id', related_name='pin_failures', on_delete=OnDelete.CASCADE)),
                ('purpose', fields.CharEnumField(description='PAD: PAD\nUNLOCK: UNLOCK', enum_type=PinPurpose, max_length=8)),
                ('failed_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'pin_failure', 'app': 'models', 'pk_attr': 'id', 'table_description': 'One wrong PIN at a kiosk, counted for lockouts. The tried PIN is never kept.'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Agency',
            name='pin_length',
            field=fields.SmallIntField(default=6, db_default=6),
        ),
        ops.AddField(
            model_name='Kiosk',
            name='locked_manually_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Kiosk',
            name='locked_until',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Site',
            name='contactless_enabled',
            field=fields.BooleanField(default=True, db_default=True),
        ),
        ops.AddField(
            model_name='Site',
            name='contactless_mode',
            field=fields.CharEnumField(default=ContactlessMode.DYNAMIC, description='STATIC: STATIC\nDYNAMIC: DYNAMIC', db_default='DYNAMIC', enum_type=ContactlessMode, max_length=8),
        ),
        ops.AddField(
            model_name='Site',
            name='contactless_version',
            field=fields.IntField(default=1, db_default=1),
        ),
        ops.AddField(
            model_name='Site',
            name='pad_failures_counted_from',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Site',
            name='pad_lock_failures',
            field=fields.SmallIntField(default=5, db_default=5),
        ),
        ops.AddField(
            model_name='Site',
            name='pad_lock_minutes',
            field=fields.SmallIntField(default=5, db_default=5),
        ),
        ops.AddField(
            model_name='Site',
            name='pad_lock_window_minutes',
            field=fields.SmallIntField(default=5, db_default=5),
        ),
        ops.AddField(
            model_name='Site',
            name='pads_locked_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Site',
            name='site_daily_pin_failures',
            field=fields.SmallIntField(default=15, db_default=15),
        ),
        ops.RunPython(_move_staff_pins),
    ]
