"""The texts of every message template, in English and Spanish (rendered by
``services.messages``, which checks parameters and formats dates).

SMS texts aim at one segment: 160 characters of the GSM 7-bit alphabet. One character
outside it (an acute accent such as "ó") switches the whole text to UCS-2 and 70
characters, so the Spanish SMS texts are worded to need only "é" and "ñ", which GSM has.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from models.people import Language
from services import application_texts, messaging_texts


@dataclass(frozen=True)
class Text:
    subject: str
    email: str
    sms: str


@dataclass(frozen=True)
class Template:
    params: frozenset[str]
    secrets: frozenset[str]
    texts: Mapping[Language, Text]
    # Names of which at least one must be given; the first present is shown as {place}.
    place: tuple[str, ...] = ()
    dates: frozenset[str] = field(default_factory=frozenset)


TEMPLATES: dict[str, Template] = {
    "invitation": Template(
        params=frozenset({"guardian_first_name", "agency_name", "link"}),
        secrets=frozenset({"code"}),
        texts={
            Language.EN: Text(
                subject="{agency_name} invites you to Playroll",
                email=(
                    "Hello {guardian_first_name},\n\n"
                    "{agency_name} uses Playroll to keep you up to date on your children's "
                    "attendance. Create your family account here:\n\n"
                    "{link}\n\n"
                    "When asked, enter this invitation code: {code}\n\n"
                    "The code works once and expires in 14 days. If you already have a "
                    "Playroll account with another program, sign in and add the code to "
                    "connect with {agency_name}.\n\n"
                    "If you were not expecting this message, you can ignore it.\n"
                ),
                sms=(
                    "Playroll: Hi {guardian_first_name}, {agency_name} invites you to create "
                    "a family account. Code {code} (expires in 14 days): {link}"
                ),
            ),
            Language.ES: Text(
                subject="{agency_name} le invita a Playroll",
                email=(
                    "Hola, {guardian_first_name}:\n\n"
                    "{agency_name} usa Playroll para mantenerle al día sobre la asistencia "
                    "de sus niños. Cree su cuenta familiar aquí:\n\n"
                    "{link}\n\n"
                    "Cuando se le pida, escriba este código de invitación: {code}\n\n"
                    "El código sirve una sola vez y vence en 14 días. Si ya tiene una cuenta "
                    "de Playroll con otro programa, inicie sesión y agregue el código para "
                    "conectarse con {agency_name}.\n\n"
                    "Si no esperaba este mensaje, puede ignorarlo.\n"
                ),
                sms=(
                    "Playroll: Hola {guardian_first_name}, {agency_name} le invita a crear su "
                    "cuenta familiar. Clave {code}, vence en dos semanas: {link}"
                ),
            ),
        },
    ),
    "password_reset": Template(
        params=frozenset(),
        secrets=frozenset({"code"}),
        texts={
            Language.EN: Text(
                subject="Your Playroll password reset code",
                email=(
                    "We received a request to reset the password of your Playroll family "
                    "account. Enter this code to choose a new password:\n\n"
                    "{code}\n\n"
                    "If it was not you, ignore this message: your password stays as it is.\n"
                ),
                sms=(
                    "Playroll: your password reset code is {code}. If it was not you, "
                    "ignore this message."
                ),
            ),
            Language.ES: Text(
                subject="Código para restablecer su contraseña de Playroll",
                email=(
                    "Recibimos una solicitud para restablecer la contraseña de su cuenta "
                    "familiar de Playroll. Escriba este código para elegir una contraseña "
                    "nueva:\n\n"
                    "{code}\n\n"
                    "Si no fue usted, ignore este mensaje: su contraseña no cambiará.\n"
                ),
                sms=(
                    "Playroll: su clave para restablecer la contraseña es {code}. Si no fue "
                    "usted, ignore este mensaje."
                ),
            ),
        },
    ),
    # A staff member's set-password link: the first admin's, or a new colleague's.
    "staff_invitation": Template(
        params=frozenset({"staff_first_name", "agency_name"}),
        secrets=frozenset({"link"}),
        texts={
            Language.EN: Text(
                subject="Your Playroll staff account at {agency_name}",
                email=(
                    "Hello {staff_first_name},\n\n"
                    "{agency_name} gave you a staff account on Playroll. Choose your "
                    "password here:\n\n"
                    "{link}\n\n"
                    "The link is personal and works once; it expires in 7 days. After that, "
                    "ask an administrator to send you a new one.\n\n"
                    "If you were not expecting this message, you can ignore it.\n"
                ),
                # Staff links go by email; these stay short in case one day they do not.
                sms="Playroll staff account at {agency_name}: {link}",
            ),
            Language.ES: Text(
                subject="Su cuenta de personal de Playroll en {agency_name}",
                email=(
                    "Hola, {staff_first_name}:\n\n"
                    "{agency_name} le creó una cuenta de personal en Playroll. Elija su "
                    "contraseña aquí:\n\n"
                    "{link}\n\n"
                    "El enlace es personal y sirve una sola vez; vence en 7 días. Después, "
                    "pida uno nuevo a un administrador.\n\n"
                    "Si no esperaba este mensaje, puede ignorarlo.\n"
                ),
                sms="Playroll, cuenta de personal en {agency_name}: {link}",
            ),
        },
    ),
    "staff_password_reset": Template(
        params=frozenset(),
        secrets=frozenset({"link"}),
        texts={
            Language.EN: Text(
                subject="Reset your Playroll staff password",
                email=(
                    "We received a request to reset the password of your Playroll staff "
                    "account. Choose a new password here:\n\n"
                    "{link}\n\n"
                    "The link works once and expires in an hour. If it was not you, ignore "
                    "this message: your password stays as it is.\n"
                ),
                sms="Playroll staff password reset: {link}",
            ),
            Language.ES: Text(
                subject="Restablezca su contraseña de personal de Playroll",
                email=(
                    "Recibimos una solicitud para restablecer la contraseña de su cuenta de "
                    "personal de Playroll. Elija una contraseña nueva aquí:\n\n"
                    "{link}\n\n"
                    "El enlace sirve una sola vez y vence en una hora. Si no fue usted, "
                    "ignore este mensaje: su contraseña no cambiará.\n"
                ),
                sms="Playroll, nueva contraseña de personal: {link}",
            ),
        },
    ),
    "pin": Template(
        params=frozenset({"adult_first_name"}),
        secrets=frozenset({"pin"}),
        place=("site_name", "agency_name"),
        texts={
            Language.EN: Text(
                subject="Your Playroll PIN for {place}",
                email=(
                    "Hello {adult_first_name},\n\n"
                    "Your PIN for signing children in and out on the kiosk at {place} is:\n\n"
                    "{pin}\n\n"
                    "Keep it private: anyone who knows it can sign the children in and out "
                    "in your name. If you think someone else knows it, ask the staff for a "
                    "new one.\n"
                ),
                sms="Playroll: Hi {adult_first_name}, your kiosk PIN for {place} is {pin}. "
                "Keep it private.",
            ),
            Language.ES: Text(
                subject="Su PIN de Playroll para {place}",
                email=(
                    "Hola, {adult_first_name}:\n\n"
                    "Su PIN para registrar la entrada y la salida de los niños en el quiosco "
                    "de {place} es:\n\n"
                    "{pin}\n\n"
                    "No lo comparta: quien lo conozca puede registrar entradas y salidas en "
                    "su nombre. Si cree que otra persona lo sabe, pida uno nuevo al "
                    "personal.\n"
                ),
                sms="Playroll: Hola {adult_first_name}, su PIN para registrar entradas y "
                "salidas en {place} es {pin}. No lo comparta.",
            ),
        },
    ),
    "verification_code": Template(
        params=frozenset(),
        secrets=frozenset({"code"}),
        texts={
            Language.EN: Text(
                subject="Your Playroll verification code",
                email=(
                    "Your verification code is:\n\n"
                    "{code}\n\n"
                    "It expires in 10 minutes and works only once. Do not share it: Playroll "
                    "staff will never ask you for it.\n"
                ),
                sms="Playroll: your verification code is {code}. It expires in 10 minutes. "
                "Do not share it.",
            ),
            Language.ES: Text(
                subject="Su código de verificación de Playroll",
                email=(
                    "Su código de verificación es:\n\n"
                    "{code}\n\n"
                    "Vence en 10 minutos y sirve una sola vez. No lo comparta: el personal "
                    "nunca se lo va a pedir.\n"
                ),
                sms="Playroll: su clave es {code}. Vence en 10 minutos. No la comparta con nadie.",
            ),
        },
    ),
    "attendance_submission": Template(
        params=frozenset({"guardian_first_name", "agency_name", "period_from", "period_to"}),
        # The link carries the token that opens the family's record: it is the credential.
        secrets=frozenset({"link"}),
        dates=frozenset({"period_from", "period_to"}),
        texts={
            Language.EN: Text(
                subject="Please review and sign attendance for {period_from} to {period_to}",
                email=(
                    "Hello {guardian_first_name},\n\n"
                    "{agency_name} asks you to review your children's attendance from "
                    "{period_from} to {period_to}, then sign and submit it:\n\n"
                    "{link}\n\n"
                    "The link is personal: do not forward it. It works once and expires in "
                    "14 days. If a day looks wrong, tell the staff before you sign.\n"
                ),
                sms=(
                    "Playroll: {agency_name} asks you to sign attendance for {period_from} to "
                    "{period_to}: {link}"
                ),
            ),
            Language.ES: Text(
                subject="Revise y firme la asistencia del {period_from} al {period_to}",
                email=(
                    "Hola, {guardian_first_name}:\n\n"
                    "{agency_name} le pide revisar la asistencia de sus niños del "
                    "{period_from} al {period_to} y luego firmarla y enviarla:\n\n"
                    "{link}\n\n"
                    "El enlace es personal: no lo reenvíe. Sirve una sola vez y vence en "
                    "14 días. Si algún día no está bien, avise al personal antes de firmar.\n"
                ),
                sms=(
                    "Playroll: {agency_name} le pide firmar la asistencia del {period_from} al "
                    "{period_to}: {link}"
                ),
            ),
        },
    ),
    # Staff entered attendance for the child; the parent confirms and signs it.
    "confirmation_request": Template(
        params=frozenset({"guardian_first_name", "child_first_name", "agency_name", "link"}),
        secrets=frozenset(),
        texts={
            Language.EN: Text(
                subject="Please confirm {child_first_name}'s attendance",
                email=(
                    "Hello {guardian_first_name},\n\n"
                    "Staff at {agency_name} recorded some of {child_first_name}'s sign-ins, "
                    "sign-outs or absences for you. Please check that they are right and "
                    "confirm them with your signature:\n\n"
                    "{link}\n\n"
                    "You can also confirm them with your PIN on the kiosk next time you sign "
                    "in. If something looks wrong, tell the staff instead of confirming.\n"
                ),
                sms=(
                    "Playroll: Hi {guardian_first_name}, please confirm the attendance "
                    "{agency_name} staff recorded for {child_first_name}: {link}"
                ),
            ),
            Language.ES: Text(
                subject="Confirme la asistencia de {child_first_name}",
                email=(
                    "Hola, {guardian_first_name}:\n\n"
                    "El personal de {agency_name} registró por usted algunas entradas, "
                    "salidas o ausencias de {child_first_name}. Revise que estén bien y "
                    "confírmelas con su firma:\n\n"
                    "{link}\n\n"
                    "También puede confirmarlas con su PIN en el quiosco la próxima vez que "
                    "registre la entrada. Si algo no está bien, avise al personal en lugar "
                    "de confirmar.\n"
                ),
                sms=(
                    "Playroll: Hola {guardian_first_name}, el personal de {agency_name} le "
                    "pide confirmar la asistencia de {child_first_name}: {link}"
                ),
            ),
        },
    ),
    # How to sign children in and out from the family app with the kiosk's QR code.
    "sign_in_guide": Template(
        params=frozenset({"adult_first_name", "agency_name", "link"}),
        secrets=frozenset(),
        texts={
            Language.EN: Text(
                subject="Sign your children in and out from your phone at {agency_name}",
                email=(
                    "Hello {adult_first_name},\n\n"
                    "At {agency_name} you can sign your children in and out with your own "
                    "phone instead of typing your PIN on the kiosk. Here is how:\n\n"
                    "1. On your phone, open the family app and sign in to your family "
                    "account:\n\n"
                    "   {link}\n\n"
                    "2. At the door, go to the kiosk tablet. Its screen shows a square QR "
                    "code beside the PIN pad.\n"
                    "3. In the family app, scan that code with your phone's camera.\n"
                    "4. Pick the children you are dropping off or picking up.\n"
                    "5. Check the names and confirm. The time recorded is the moment you "
                    "confirm.\n\n"
                    "If the app refuses the code: a code can be out of date (some kiosks "
                    "show a new one every day) or belong to another site, so scan the code "
                    "on the kiosk in front of you once more. If it is still refused, or the "
                    "kiosk shows no code, type your PIN on the kiosk as usual or ask the "
                    "staff for help. Nothing is recorded until a sign-in is accepted.\n\n"
                    "You need a family account for this; if you have none yet, ask the staff "
                    "to invite you. Your PIN keeps working on the kiosk either way.\n"
                ),
                sms=(
                    "Playroll: sign in by phone: scan the kiosk QR in the family app, pick "
                    "the children, confirm. Refused? Use your PIN. {link}"
                ),
            ),
            Language.ES: Text(
                subject="Registre la entrada y salida de sus niños desde su teléfono en "
                "{agency_name}",
                email=(
                    "Hola, {adult_first_name}:\n\n"
                    "En {agency_name} puede registrar la entrada y la salida de sus niños "
                    "con su propio teléfono, sin escribir su PIN en el quiosco. Así se "
                    "hace:\n\n"
                    "1. En su teléfono, abra la aplicación familiar e inicie sesión en su "
                    "cuenta familiar:\n\n"
                    "   {link}\n\n"
                    "2. En la entrada, vaya a la tableta del quiosco. En la pantalla, junto "
                    "al teclado del PIN, hay un código QR cuadrado.\n"
                    "3. En la aplicación familiar, escanee ese código con la cámara del "
                    "teléfono.\n"
                    "4. Elija a los niños que deja o recoge.\n"
                    "5. Revise los nombres y confirme. Se registra la hora en que "
                    "confirma.\n\n"
                    "Si la aplicación no acepta el código: puede estar vencido (algunos "
                    "quioscos muestran uno nuevo cada día) o ser de otro centro, así que "
                    "escanee otra vez el código del quiosco que tiene delante. Si sigue sin "
                    "aceptarse, o si el quiosco no muestra ningún código, escriba su PIN en "
                    "el quiosco como siempre o pida ayuda al personal. No se registra nada "
                    "hasta que se acepta la entrada o la salida.\n\n"
                    "Para esto necesita una cuenta familiar; si todavía no la tiene, pida al "
                    "personal que le envíe una invitación. Su PIN sigue sirviendo en el "
                    "quiosco de todos modos.\n"
                ),
                sms=(
                    "Playroll: escanee el QR del quiosco con la app familiar, elija los niños "
                    "y confirme. Si falla, use su PIN: {link}"
                ),
            ),
        },
    ),
    # A staff member wrote to a parent who is not connected (services/message_notices.py).
    "new_message": Template(
        params=messaging_texts.NEW_MESSAGE_PARAMS,
        secrets=frozenset(),
        texts={lang: Text(**t) for lang, t in messaging_texts.NEW_MESSAGE.items()},
    ),
    # A document posted or a moment shared for the family (services/family_news.py).
    **{
        name: Template(
            params=messaging_texts.NEWS_PARAMS,
            secrets=frozenset(),
            texts={lang: Text(**t) for lang, t in texts.items()},
        )
        for name, texts in messaging_texts.NEWS.items()
    },
    # An applying family (services/application_texts.py).
    **{
        name: Template(
            params=spec.params,
            secrets=spec.secrets,
            texts={lang: Text(**t) for lang, t in spec.texts.items()},
            dates=spec.dates,
        )
        for name, spec in application_texts.TEMPLATES.items()
    },
}
