"""Render a page: the layout around one template, in the visitor's language.

Templates are HTML with ``$name`` placeholders filled with escaped texts of
:mod:`server.web.texts`; the same texts reach the page's script as a JSON data block
(``type="application/json"`` is data, not script, so the CSP allows it).
"""

from __future__ import annotations

import html
import json
from functools import cache
from importlib.resources import files
from string import Template

from starlette.requests import Request
from starlette.responses import HTMLResponse

from server.web.texts import LANGUAGES, texts_for


def language(request: Request) -> str:
    """``?lang=`` first, then the browser's Accept-Language, then English."""
    asked = request.query_params.get("lang", "")
    if asked in LANGUAGES:
        return asked
    header = request.headers.get("accept-language", "")
    for part in header.split(","):
        tag = part.split(";")[0].strip().lower()[:2]
        if tag in LANGUAGES:
            return tag
    return "en"


@cache
def _template(name: str) -> Template:
    return Template((files("server.web") / "templates" / f"{name}.html").read_text())


def render(request: Request, page: str) -> HTMLResponse:
    """The page ``page`` (template and script of that name) in the visitor's language."""
    lang = language(request)
    texts = texts_for(lang)
    escaped = {key: html.escape(value) for key, value in texts.items()}
    body = _template(page).substitute(escaped)
    data = json.dumps(texts).replace("<", "\\u003c")
    document = _template("layout").substitute(
        escaped,
        lang=lang,
        title=escaped[f"{page}_title"],
        body=body,
        page=page,
        texts=data,
        other_lang="es" if lang == "en" else "en",
    )
    # Pages carry no secret, but a link's page must not be served from a shared cache.
    return HTMLResponse(document, headers={"cache-control": "no-store"})
