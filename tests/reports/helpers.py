"""Asking for reports through the schema, fetching them, and reading them as a person does."""

from __future__ import annotations

import subprocess
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from services import reports
from tests.graphql import GraphQLClient

PAYLOAD = "download { url filename contentType expiresAt } errors { field code message }"
REPORT = f"mutation($i: AttendanceReportInput!) {{ attendanceReport(input: $i) {{ {PAYLOAD} }} }}"
SHEET = f"mutation($i: SignInSheetInput!) {{ signInSheet(input: $i) {{ {PAYLOAD} }} }}"


def local(zone: str, day: date, hhmm: str) -> datetime:
    hour, minute = (int(part) for part in hhmm.split(":"))
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZoneInfo(zone))


async def ask(gql: GraphQLClient, token: str, field: str, **values: Any) -> dict[str, Any]:
    """The payload of ``attendanceReport`` or ``signInSheet``; GraphQL errors fail here."""
    document = REPORT if field == "attendanceReport" else SHEET
    result = await gql.execute(document, {"i": values}, token=token)
    assert result.errors == [], result.errors
    assert result.data is not None
    payload: dict[str, Any] = result.data[field]
    return payload


async def fetch(gql: GraphQLClient, url: str) -> bytes:
    """What GET on the link answers (the route is tested over HTTP on its own)."""
    found = await reports.download(gql.settings.secret, url.rsplit("/", 1)[1], gql.clock.now())
    assert found is not None
    return bytes(found.body)


async def report(
    gql: GraphQLClient, token: str, field: str = "attendanceReport", **values: Any
) -> bytes:
    payload = await ask(gql, token, field, **values)
    assert payload["errors"] == [], payload["errors"]
    return await fetch(gql, payload["download"]["url"])


def pdf_text(body: bytes) -> str:
    assert body.startswith(b"%PDF-")
    done = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=body, capture_output=True, check=True
    )
    return done.stdout.decode()


def first_page_png(body: bytes, dpi: int = 40) -> bytes:
    done = subprocess.run(
        ["pdftoppm", "-png", "-r", str(dpi), "-f", "1", "-l", "1", "-"],
        input=body,
        capture_output=True,
        check=True,
    )
    return done.stdout


def _info(body: bytes, field: str) -> str:
    done = subprocess.run(["pdfinfo", "-"], input=body, capture_output=True, check=True)
    line = next(x for x in done.stdout.decode().splitlines() if x.startswith(f"{field}:"))
    return line.split(":", 1)[1].strip()


def page_count(body: bytes) -> int:
    return int(_info(body, "Pages"))


def page_size(body: bytes) -> str:
    """pdfinfo's words, such as ``841.89 x 595.276 pts (A4)``."""
    return _info(body, "Page size")
