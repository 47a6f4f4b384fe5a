"""Message texts: both languages, every template, short SMS, loud mistakes."""

from __future__ import annotations

from typing import Any

import pytest

from models.people import ContactMethod, Language
from models.waitlist import ApplicationStatus
from services import application_texts, messages

LINK = "https://families.example.org/join"
STAFF_LINK = (
    "https://families.example.org/staff/set-password?token=" + "Q2xQvX9b0mK4tR7sYw1e-A" * 2
)[:-1]
APPLICANT = {
    "guardian_first_name": "Guadalupe",
    "agency_name": "Sunrise Early Learning",
    "number": "A-00042",
}
# A realistic set of parameters per template (names of typical length).
EXAMPLES: dict[str, tuple[dict[str, Any], dict[str, str]]] = {
    "invitation": (
        {"guardian_first_name": "Guadalupe", "agency_name": "Sunrise Early Learning", "link": LINK},
        {"code": "K7P2-9XQM"},
    ),
    "password_reset": ({}, {"code": "482913"}),
    "pin": ({"adult_first_name": "Guadalupe", "site_name": "Sunrise North"}, {"pin": "482913"}),
    "verification_code": ({}, {"code": "482913"}),
    "attendance_submission": (
        {
            "guardian_first_name": "Guadalupe",
            "agency_name": "Sunrise Early Learning",
            "period_from": "2026-11-02",
            "period_to": "2026-11-15",
        },
        # The link opens the family's record, so it travels sealed, like a code.
        {"link": "https://families.example.org/submit?token=Q2xQvX9b0mK4tR7sYw1e-A"},
    ),
    # The set-password link carries its token: sealed, like a code.
    "staff_invitation": (
        {"staff_first_name": "Guadalupe", "agency_name": "Sunrise Early Learning"},
        {"link": STAFF_LINK},
    ),
    "staff_password_reset": ({}, {"link": STAFF_LINK}),
    "confirmation_request": (
        {
            "guardian_first_name": "Guadalupe",
            "child_first_name": "Maximiliano",
            "agency_name": "Sunrise Early Learning",
            "link": "https://families.example.org/confirm",
        },
        {},
    ),
    "sign_in_guide": (
        {
            "adult_first_name": "Guadalupe",
            "agency_name": "Sunrise Early Learning",
            "link": "https://families.example.org/family",
        },
        {},
    ),
    # Staff wrote to a parent who is not connected; the message itself is never in it.
    "new_message": ({"guardian_first_name": "Guadalupe", "site_name": "Sunrise North"}, {}),
    # A document posted or a moment shared: never the title or the caption.
    "new_document": ({"guardian_first_name": "Guadalupe", "agency_name": "Sunrise Early"}, {}),
    "new_moment": ({"guardian_first_name": "Guadalupe", "agency_name": "Sunrise Early"}, {}),
    # An applying family: the code that links the application, an offer, an unlink.
    "application_invitation": ({**APPLICANT, "link": LINK}, {"code": "K7P2-9XQM-4HJD"}),
    "application_offer": (
        {**APPLICANT, "site_name": "Sunrise North", "starts_on": "2026-09-01"},
        {},
    ),
    "application_unlinked": (APPLICANT, {}),
    **{application_texts.status_template(s): (APPLICANT, {}) for s in ApplicationStatus},
}
# GSM 03.38 basic alphabet: a text using only these fits 160 characters in one SMS.
GSM7 = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    "ÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)


def _render(template: str, language: Language, channel: ContactMethod) -> messages.Rendered:
    params, secrets = EXAMPLES[template]
    return messages.render(
        template, language=language, channel=channel, params=params, secrets=secrets
    )


def test_every_template_has_an_example() -> None:
    assert set(EXAMPLES) == messages.TEMPLATES


@pytest.mark.parametrize("template", sorted(EXAMPLES))
@pytest.mark.parametrize("language", list(Language))
def test_sms_fits_one_segment(template: str, language: Language) -> None:
    body = _render(template, language, ContactMethod.SMS).body
    assert set(body) <= GSM7, set(body) - GSM7
    assert len(body) <= 160, (len(body), body)


@pytest.mark.parametrize("template", sorted(EXAMPLES))
def test_english_and_spanish_differ_and_carry_every_value(template: str) -> None:
    params, secrets = EXAMPLES[template]
    english = _render(template, Language.EN, ContactMethod.EMAIL)
    spanish = _render(template, Language.ES, ContactMethod.EMAIL)
    assert english.subject
    assert spanish.subject
    assert english.subject != spanish.subject
    assert english.body != spanish.body
    for body in (english.body, spanish.body):
        assert "{" not in body
        for value in secrets.values():
            assert value in body
        for name in ("link", "guardian_first_name", "adult_first_name", "agency_name"):
            if name in params:
                assert params[name] in body


def test_the_spanish_texts_are_spanish() -> None:
    invitation = _render("invitation", Language.ES, ContactMethod.EMAIL)
    assert invitation.subject == "Sunrise Early Learning le invita a Playroll"
    assert "código de invitación: K7P2-9XQM" in invitation.body
    assert "vence en 14 días" in invitation.body
    code = _render("verification_code", Language.ES, ContactMethod.EMAIL)
    assert "Vence en 10 minutos" in code.body
    assert (
        "It expires in 10 minutes"
        in _render("verification_code", Language.EN, ContactMethod.EMAIL).body
    )


def test_dates_are_written_for_people() -> None:
    en = _render("attendance_submission", Language.EN, ContactMethod.EMAIL)
    es = _render("attendance_submission", Language.ES, ContactMethod.EMAIL)
    assert "from November 2, 2026 to November 15, 2026" in en.body
    assert "del 2 de noviembre de 2026 al 15 de noviembre de 2026" in es.body
    assert (
        "Nov 2 to Nov 15" in _render("attendance_submission", Language.EN, ContactMethod.SMS).body
    )
    assert (
        "del 2 nov al 15 nov"
        in _render("attendance_submission", Language.ES, ContactMethod.SMS).body
    )


def test_the_pin_names_the_site_or_else_the_agency() -> None:
    by_agency = messages.render(
        "pin",
        language=Language.EN,
        channel=ContactMethod.SMS,
        params={"adult_first_name": "Ana", "agency_name": "Sunrise Early Learning"},
        secrets={"pin": "482913"},
    )
    assert "for Sunrise Early Learning is 482913" in by_agency.body


def test_sms_has_no_subject() -> None:
    assert _render("pin", Language.EN, ContactMethod.SMS).subject == ""


@pytest.mark.parametrize(
    ("template", "params", "secrets"),
    [
        ("no_such_template", {}, {}),
        ("pin", {"site_name": "North"}, {"pin": "1"}),
        ("pin", {"adult_first_name": "Ana", "site_name": "North"}, {}),
        (
            "attendance_submission",
            {**EXAMPLES["attendance_submission"][0], "period_to": "soon"},
            EXAMPLES["attendance_submission"][1],
        ),
    ],
)
def test_mistakes_raise(template: str, params: dict[str, Any], secrets: dict[str, str]) -> None:
    with pytest.raises(messages.TemplateError):
        messages.render(
            template,
            language=Language.EN,
            channel=ContactMethod.EMAIL,
            params=params,
            secrets=secrets,
        )


@pytest.mark.parametrize(
    ("base_url", "expected"),
    [
        ("https://families.example.org", "https://families.example.org/join?invite=abc"),
        ("https://example.org/playroll/", "https://example.org/playroll/join?invite=abc"),
    ],
)
def test_links_hang_under_the_base_url(base_url: str, expected: str) -> None:
    assert messages.link(base_url, "/join", invite="abc") == expected
