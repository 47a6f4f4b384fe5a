"""The words of the messages an applying family gets, in English and Spanish
(services/message_templates.py registers them): the invitation that links an application
to a family account, an offer of a place, an unlink, and one notice per status.

The Spanish SMS texts need no accent outside the GSM alphabet, so each stays one segment.
"""

from __future__ import annotations

from dataclasses import dataclass

from models.people import Language
from models.waitlist import ApplicationStatus

Texts = dict[Language, dict[str, str]]

INVITATION_PARAMS = frozenset({"guardian_first_name", "agency_name", "number", "link"})
INVITATION: Texts = {
    Language.EN: {
        "subject": "Follow your application {number} with {agency_name}",
        "email": (
            "Hello {guardian_first_name},\n\n"
            "{agency_name} received your application {number}. Create a Playroll family "
            "account (or sign in to yours) to follow it, keep your contact details up to "
            "date and answer an offer of a place:\n\n"
            "{link}\n\n"
            "When asked, enter this code: {code}\n\n"
            "The code works once and expires in 14 days.\n\n"
            "If you were not expecting this message, you can ignore it.\n"
        ),
        "sms": (
            "Playroll: Hi {guardian_first_name}, follow application {number} with "
            "{agency_name}. Code {code} (14 days): {link}"
        ),
    },
    Language.ES: {
        "subject": "Siga su solicitud {number} con {agency_name}",
        "email": (
            "Hola, {guardian_first_name}:\n\n"
            "{agency_name} recibió su solicitud {number}. Cree una cuenta familiar de "
            "Playroll (o inicie sesión en la suya) para seguirla, mantener al día sus datos "
            "de contacto y responder a una oferta de plaza:\n\n"
            "{link}\n\n"
            "Cuando se le pida, escriba este código: {code}\n\n"
            "El código sirve una sola vez y vence en 14 días.\n\n"
            "Si no esperaba este mensaje, puede ignorarlo.\n"
        ),
        "sms": (
            "Playroll: Hola {guardian_first_name}, siga su solicitud {number} con "
            "{agency_name}. Clave {code} (14 dias): {link}"
        ),
    },
}

OFFER_PARAMS = frozenset({"guardian_first_name", "agency_name", "number", "site_name", "starts_on"})
OFFER: Texts = {
    Language.EN: {
        "subject": "{agency_name} offers you a place",
        "email": (
            "Hello {guardian_first_name},\n\n"
            "{agency_name} offers a place at {site_name} from {starts_on} for your "
            "application {number}. Open the Playroll family app to accept or decline it.\n"
        ),
        "sms": (
            "Playroll: {agency_name} offers a place at {site_name} from {starts_on} "
            "(application {number}). Accept or decline in the app."
        ),
    },
    Language.ES: {
        "subject": "{agency_name} le ofrece una plaza",
        "email": (
            "Hola, {guardian_first_name}:\n\n"
            "{agency_name} le ofrece una plaza en {site_name} desde el {starts_on} para su "
            "solicitud {number}. Abra la aplicación familiar de Playroll para aceptarla o "
            "rechazarla.\n"
        ),
        "sms": (
            "Playroll: {agency_name} le ofrece una plaza en {site_name} desde el {starts_on} "
            "(solicitud {number}). Acepte o rechace en la app."
        ),
    },
}

UNLINKED_PARAMS = frozenset({"guardian_first_name", "agency_name", "number"})
UNLINKED: Texts = {
    Language.EN: {
        "subject": "Your application {number} was unlinked from your account",
        "email": (
            "Hello {guardian_first_name},\n\n"
            "{agency_name} unlinked your application {number} from your Playroll family "
            "account. If they invite you again, use the new code; if you do not remember "
            "your password, reset it from the sign-in screen.\n"
        ),
        "sms": (
            "Playroll: {agency_name} unlinked application {number} from your account. "
            "A new invitation may follow."
        ),
    },
    Language.ES: {
        "subject": "Su solicitud {number} se desvinculó de su cuenta",
        "email": (
            "Hola, {guardian_first_name}:\n\n"
            "{agency_name} desvinculó su solicitud {number} de su cuenta familiar de "
            "Playroll. Si le invitan de nuevo, use el nuevo código; si no recuerda su "
            "contraseña, restablézcala desde la pantalla de inicio de sesión.\n"
        ),
        "sms": (
            "Playroll: {agency_name} desvinculo la solicitud {number} de su cuenta. "
            "Puede llegar una nueva invitacion."
        ),
    },
}

STATUS_PARAMS = frozenset({"guardian_first_name", "agency_name", "number"})
# What each status means to a family, in the sentence "Your application ... is now ...".
_STATUS_WORDS: dict[ApplicationStatus, dict[Language, str]] = {
    ApplicationStatus.SUBMITTED: {Language.EN: "received", Language.ES: "recibida"},
    ApplicationStatus.WAITLISTED: {
        Language.EN: "on the waitlist",
        Language.ES: "en la lista de espera",
    },
    ApplicationStatus.OFFERED: {
        Language.EN: "offered a place",
        Language.ES: "con una plaza ofrecida",
    },
    ApplicationStatus.ACCEPTED: {Language.EN: "accepted", Language.ES: "aceptada"},
    ApplicationStatus.DECLINED: {Language.EN: "declined", Language.ES: "rechazada"},
    ApplicationStatus.WITHDRAWN: {Language.EN: "withdrawn", Language.ES: "retirada"},
    ApplicationStatus.ENROLLED: {Language.EN: "enrolled", Language.ES: "inscrita"},
}


def status_template(status: ApplicationStatus) -> str:
    return f"application_{status.value.lower()}"


def _status_texts(status: ApplicationStatus) -> Texts:
    en, es = _STATUS_WORDS[status][Language.EN], _STATUS_WORDS[status][Language.ES]
    return {
        Language.EN: {
            "subject": f"Your application {{number}} is {en}",
            "email": (
                "Hello {guardian_first_name},\n\n"
                f"Your application {{number}} with {{agency_name}} is now {en}. Open the "
                "Playroll family app to see it.\n"
            ),
            "sms": f"Playroll: application {{number}} with {{agency_name}} is now {en}.",
        },
        Language.ES: {
            "subject": f"Su solicitud {{number}} está {es}",
            "email": (
                "Hola, {guardian_first_name}:\n\n"
                f"Su solicitud {{number}} con {{agency_name}} ahora está {es}. Abra la "
                "aplicación familiar de Playroll para verla.\n"
            ),
            "sms": f"Playroll: la solicitud {{number}} con {{agency_name}} ahora esta {es}.",
        },
    }


STATUS: dict[str, Texts] = {status_template(s): _status_texts(s) for s in ApplicationStatus}


@dataclass(frozen=True)
class Spec:
    params: frozenset[str]
    texts: Texts
    secrets: frozenset[str] = frozenset()
    dates: frozenset[str] = frozenset()


TEMPLATES: dict[str, Spec] = {
    "application_invitation": Spec(INVITATION_PARAMS, INVITATION, frozenset({"code"})),
    "application_offer": Spec(OFFER_PARAMS, OFFER, dates=frozenset({"starts_on"})),
    "application_unlinked": Spec(UNLINKED_PARAMS, UNLINKED),
    **{name: Spec(STATUS_PARAMS, texts) for name, texts in STATUS.items()},
}
