"""Rendering the messages Playroll sends to families and staff, in English and Spanish.

The texts live in ``services.message_templates``. A template names the parameters it
needs; an unknown template, a missing parameter or an unexpected one is a programming
error (``TemplateError``), raised when the message is queued so it shows up in the
caller's tests, not in a parent's inbox.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode

from babel.dates import format_date

from models.people import ContactMethod, Language
from services.message_templates import TEMPLATES as _TEMPLATES


class TemplateError(LookupError):
    """A message was asked for with a template or parameters that do not exist."""


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str


# Babel's CLDR patterns: "November 2, 2026" / "2 de noviembre de 2026" in an email,
# "Nov 2" / "2 nov" in a text message.
_LOCALES = {Language.EN: "en_US", Language.ES: "es"}
_SMS_DATE = {Language.EN: "MMM d", Language.ES: "d MMM"}


def _format_date(value: str, language: Language, channel: ContactMethod) -> str:
    day = date.fromisoformat(value)
    pattern = _SMS_DATE[language] if channel is ContactMethod.SMS else "long"
    return format_date(day, pattern, locale=_LOCALES[language])


TEMPLATES = frozenset(_TEMPLATES)


def check(template: str, params: Mapping[str, Any], secret_names: frozenset[str]) -> None:
    """Fail unless ``template`` exists and gets exactly the parameters it uses."""
    spec = _TEMPLATES.get(template)
    if spec is None:
        raise TemplateError(f"unknown message template {template!r}")
    allowed = spec.params | set(spec.place)
    missing = spec.params - params.keys()
    unexpected = params.keys() - allowed
    if spec.place and not any(params.get(name) for name in spec.place):
        missing = missing | {" or ".join(spec.place)}
    if missing or unexpected:
        raise TemplateError(
            f"template {template!r}: missing {sorted(missing)}, unexpected {sorted(unexpected)}"
        )
    if secret_names != spec.secrets:
        raise TemplateError(
            f"template {template!r} takes secret parameters {sorted(spec.secrets)}, "
            f"not {sorted(secret_names)}"
        )
    for name in spec.dates:
        try:
            date.fromisoformat(str(params[name]))
        except ValueError:
            raise TemplateError(f"template {template!r}: {name} is not an ISO date") from None


def render(
    template: str,
    *,
    language: Language,
    channel: ContactMethod,
    params: Mapping[str, Any],
    secrets: Mapping[str, str],
) -> Rendered:
    """The message's subject (empty for SMS) and plain-text body in ``language``."""
    check(template, params, frozenset(secrets))
    spec = _TEMPLATES[template]
    values: dict[str, str] = {name: str(value) for name, value in params.items()}
    for name in spec.dates:
        values[name] = _format_date(values[name], language, channel)
    if spec.place:
        values["place"] = next(values[name] for name in spec.place if values.get(name))
    values.update(secrets)
    text = spec.texts[language]
    if channel is ContactMethod.SMS:
        return Rendered(subject="", body=text.sms.format_map(values))
    return Rendered(subject=text.subject.format_map(values), body=text.email.format_map(values))


def link(base_url: str, path: str, **query: str) -> str:
    """A link for a message, always under the configured public base URL (never Host)."""
    url = base_url.rstrip("/") + "/" + path.lstrip("/")
    return f"{url}?{urlencode(query)}" if query else url
