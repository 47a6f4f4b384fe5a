"""The routes of the web pages and their static files (no page has a back door: each
script speaks to /graphql like any client of the public API)."""

from __future__ import annotations

from importlib.resources import files

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from server.web.render import render

# The path of each page; the outbox's links (/join, /confirm, /submit) open these.
PAGES = {
    "/join": "join",
    "/confirm": "confirm",
    "/submit": "submit",
    "/reset-password": "reset",
    "/family": "family",
    "/staff/set-password": "set_password",
    "/kiosk": "kiosk",
    "/dashboard": "dashboard",
}


def _page(name: str) -> Route:
    async def endpoint(request: Request) -> Response:
        return render(request, name)

    return Route(path_for(name), endpoint, methods=["GET"], name=f"page-{name}")


def path_for(name: str) -> str:
    return next(path for path, page in PAGES.items() if page == name)


def graphiql_html() -> str:
    """GraphiQL from the vendored, pinned assets: it renders with no network but ours."""
    return (files("server.web") / "templates" / "graphiql.html").read_text()


def web_routes() -> list[BaseRoute]:
    static = StaticFiles(packages=[("server", "static")])
    return [*(_page(name) for name in PAGES.values()), Mount("/static", static, name="static")]
