"""Every page answers, in the visitor's language, and the outbox's links all open one."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import httpx
import pytest

from models.notifications import Notification
from models.org import ModuleAccess
from server.logs import redact
from server.web.routes import PAGES
from services import staff_passwords, submissions
from services.sign_in_guide import FAMILY_APP_PATH
from tests import factories as make
from tests.confirmations.helpers import data, scene, site_today, staff_day
from tests.family.helpers import household, invite
from tests.graphql import GraphQLClient
from tests.world import World


@pytest.mark.parametrize(
    "path",
    [
        "/join",  # invitations
        "/confirm",  # confirmation requests
        submissions.LINK_PATH,
        FAMILY_APP_PATH,  # the sign-in guide
        staff_passwords.SET_PASSWORD_PATH,
        "/reset-password",
    ],
)
async def test_every_link_the_outbox_sends_opens_a_page(http: httpx.AsyncClient, path: str) -> None:
    response = await http.get(path + "?token=abc")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["cache-control"] == "no-store"


async def test_a_spanish_speaking_guardians_invitation_opens_in_spanish(
    http: httpx.AsyncClient, gql: GraphQLClient, world: World
) -> None:
    """The link carries the parent's language, whatever the phone's browser is set to."""
    home = await household(world)  # guardian A reads English by email, B Spanish by SMS
    editing = await make.role(world.agency, students=ModuleAccess.EDIT)
    editor = await make.staff(world.agency, role=editing, sites=[world.site])
    await invite(gql, await make.token_for(editor), home.guardian_a.id, home.guardian_b.id)
    pages = {}
    for message in await Notification.filter(template="invitation"):
        link = urlsplit(message.params["link"])
        page = await http.get(f"{link.path}?{link.query}", headers={"accept-language": "en"})
        pages[message.language] = page.text
    assert '<html lang="es">' in pages["es"]
    assert "Únase a su programa" in pages["es"]
    assert '<html lang="en">' in pages["en"]


async def test_pages_speak_the_browsers_language_unless_asked(http: httpx.AsyncClient) -> None:
    spanish = await http.get("/submit", headers={"accept-language": "es-MX,es;q=0.9,en;q=0.5"})
    assert '<html lang="es">' in spanish.text
    assert "Firmar la asistencia" in spanish.text
    english = await http.get("/submit?lang=en", headers={"accept-language": "es"})
    assert '<html lang="en">' in english.text
    assert (await http.get("/kiosk", headers={"accept-language": "fr"})).text.count(
        'lang="en"'
    ) == 1


async def test_every_page_and_script_is_served(http: httpx.AsyncClient) -> None:
    for path, name in PAGES.items():
        page = await http.get(path)
        assert f'src="/static/pages/{name}.js"' in page.text
        assert (await http.get(f"/static/pages/{name}.js")).status_code == 200
    assert (await http.get("/static/pages/../../web/routes.py")).status_code == 404


def test_a_token_or_code_in_a_first_load_address_is_never_logged() -> None:
    line = '127.0.0.1 - "GET /submit?token=s3cr3t-link&lang=es HTTP/1.1" 200'
    assert "s3cr3t-link" not in redact(line)
    assert "K7Q2-P9" not in redact('"GET /join?code=K7Q2-P9 HTTP/1.1" 200')


async def test_every_label_names_one_field(http: httpx.AsyncClient) -> None:
    """Labels are how a screen reader (and a test) finds a field: ids must be unique."""
    for path in PAGES:
        text = (await http.get(path)).text
        ids = re.findall(r'\bid="([^"]+)"', text)
        assert len(ids) == len(set(ids)), (path, sorted(i for i in ids if ids.count(i) > 1))
        for target in re.findall(r'<label for="([^"]+)"', text):
            assert target in ids, (path, target)


async def test_the_dashboards_access_probe_is_refused_to_a_role_without_attendance_view(
    http: httpx.AsyncClient, world: World
) -> None:
    """The page asks liveCounts once before opening its socket; FORBIDDEN shows "Not allowed"."""
    students_only = await make.role(world.agency, students=ModuleAccess.VIEW)
    clerk = await make.staff(world.agency, role=students_only, sites=[world.site])
    probe = "query($s: ID!) { liveCounts(siteId: $s) { enrolled } }"
    for token, code in (
        (await make.token_for(clerk), "FORBIDDEN"),
        (await make.token_for(world.teacher), None),
    ):
        answer = await http.post(
            "/graphql",
            json={"query": probe, "variables": {"s": str(world.site.id)}},
            headers={"authorization": f"Bearer {token}"},
        )
        errors = answer.json().get("errors") or [{}]
        assert errors[0].get("extensions", {}).get("code") == code
    spanish = (await http.get("/dashboard?lang=es")).text
    assert "Sin permiso" in spanish
    assert "Entrar con otra cuenta" in spanish


async def test_parents_read_the_sites_time_zone_with_every_time(
    gql: GraphQLClient, world: World
) -> None:
    """/confirm and /family show times in it (/submit: tests/web/test_parent_pages.py)."""
    s = await scene(world)
    await staff_day(gql, s)
    query = """query($d: Date!) { viewer { ... on ParentViewer {
      unconfirmedEntries { timezone }
      children { today { timezone } history(from: $d, to: $d) { timezone } } } } }"""
    viewer = data(await gql.execute(query, {"d": site_today(world)}, token=s.parent))["viewer"]
    assert {e["timezone"] for e in viewer["unconfirmedEntries"]} == {"America/Chicago"}
    ava = next(c for c in viewer["children"] if c["history"])
    assert ava["today"]["timezone"] == "America/Chicago"
    assert [d["timezone"] for d in ava["history"]] == ["America/Chicago"]
