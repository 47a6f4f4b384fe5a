"""The words of the contactless sign-in guide, in English and Spanish
(services/message_templates.py registers them as the ``sign_in_guide`` template; staff
send it with ``sendSignInGuide``).

The email walks through every step; the SMS keeps to one segment, so its Spanish needs
no accent outside the GSM alphabet.
"""

from __future__ import annotations

from models.people import Language

SIGN_IN_GUIDE_PARAMS = frozenset({"adult_first_name", "agency_name", "link"})

SIGN_IN_GUIDE: dict[Language, dict[str, str]] = {
    Language.EN: {
        "subject": "Sign your children in and out from your phone at {agency_name}",
        "email": (
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
        "sms": (
            "Playroll: sign in by phone: scan the kiosk QR in the family app, pick "
            "the children, confirm. Refused? Use your PIN. {link}"
        ),
    },
    Language.ES: {
        "subject": "Registre la entrada y salida de sus niños desde su teléfono en {agency_name}",
        "email": (
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
        "sms": (
            "Playroll: escanee el QR del quiosco con la app familiar, elija los niños "
            "y confirme. Si falla, use su PIN: {link}"
        ),
    },
}
