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
from services import application_texts, messaging_texts, sign_in_guide_texts


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
    # How to sign in from a phone (services/sign_in_guide.py).
    "sign_in_guide": Template(
        params=sign_in_guide_texts.SIGN_IN_GUIDE_PARAMS,
        secrets=frozenset(),
        texts={lang: Text(**t) for lang, t in sign_in_guide_texts.SIGN_IN_GUIDE.items()},
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
