"""The words of the new-message notice, in English and Spanish
(services/message_templates.py registers them as the ``new_message`` template).

The notice never carries the message itself: an email or SMS leaves Playroll's access
rules behind (a shared inbox, a phone on the counter), so it only says where to read.
The Spanish SMS needs no accent outside the GSM alphabet, so it stays one segment.
"""

from __future__ import annotations

from models.people import Language

NEW_MESSAGE_PARAMS = frozenset({"guardian_first_name", "site_name"})

NEW_MESSAGE: dict[Language, dict[str, str]] = {
    Language.EN: {
        "subject": "You have a new message from {site_name}",
        "email": (
            "Hello {guardian_first_name},\n\n"
            "You have a new message from {site_name}. Open the Playroll family app to "
            "read it and reply.\n\n"
            "We will not email you again about this conversation for 15 minutes.\n"
        ),
        "sms": "Playroll: you have a new message from {site_name}. Open the app to read it.",
    },
    Language.ES: {
        "subject": "Tiene un mensaje nuevo de {site_name}",
        "email": (
            "Hola, {guardian_first_name}:\n\n"
            "Tiene un mensaje nuevo de {site_name}. Abra la aplicación familiar de "
            "Playroll para leerlo y responder.\n\n"
            "No le volveremos a escribir sobre esta conversación durante 15 minutos.\n"
        ),
        "sms": "Playroll: tiene un mensaje nuevo de {site_name}. Abra la app para leerlo.",
    },
}

# Staff posted a document for the family, or shared a moment with it
# (services/family_news.py). Neither the title nor the caption is in it.
NEWS_PARAMS = frozenset({"guardian_first_name", "agency_name"})

NEWS: dict[str, dict[Language, dict[str, str]]] = {
    "new_document": {
        Language.EN: {
            "subject": "{agency_name} posted a document for your family",
            "email": (
                "Hello {guardian_first_name},\n\n"
                "{agency_name} posted a document for your family. Open the Playroll family "
                "app to read it.\n\n"
                "We will not write to you again about new documents or photos for 15 minutes.\n"
            ),
            "sms": (
                "Playroll: {agency_name} posted a document for your family. "
                "Open the app to read it."
            ),
        },
        Language.ES: {
            "subject": "{agency_name} publicó un documento para su familia",
            "email": (
                "Hola, {guardian_first_name}:\n\n"
                "{agency_name} publicó un documento para su familia. Abra la aplicación "
                "familiar de Playroll para leerlo.\n\n"
                "No le volveremos a escribir sobre documentos o fotos nuevos durante 15 minutos.\n"
            ),
            "sms": (
                "Playroll: hay un documento nuevo de {agency_name} para su familia. "
                "Abra la app para verlo."
            ),
        },
    },
    "new_moment": {
        Language.EN: {
            "subject": "{agency_name} shared a photo with your family",
            "email": (
                "Hello {guardian_first_name},\n\n"
                "{agency_name} shared a photo with your family. Open the Playroll family "
                "app to see it.\n\n"
                "We will not write to you again about new documents or photos for 15 minutes.\n"
            ),
            "sms": (
                "Playroll: {agency_name} shared a photo with your family. Open the app to see it."
            ),
        },
        Language.ES: {
            "subject": "{agency_name} compartió una foto con su familia",
            "email": (
                "Hola, {guardian_first_name}:\n\n"
                "{agency_name} compartió una foto con su familia. Abra la aplicación "
                "familiar de Playroll para verla.\n\n"
                "No le volveremos a escribir sobre documentos o fotos nuevos durante 15 minutos.\n"
            ),
            "sms": (
                "Playroll: hay una foto nueva de {agency_name} para su familia. "
                "Abra la app para verla."
            ),
        },
    },
}
