"""Files to upload (made on the spot) and the operations that carry them."""

from __future__ import annotations

import io
from typing import Any

import httpx
from PIL import Image

CANARY_MAKE = "CanaryCam-GPS-9000"

SEND_FILES = """
mutation($i: SendMessageInput!) {
  sendMessage(input: $i) {
    message { id text attachments { id name contentType size width height url } }
    errors { code field message }
  }
}
"""
HISTORY_FILES = """
query($id: ID!) {
  conversation(id: $id) {
    messages(first: 10) { messages { id text attachments { id name contentType url } } }
  }
}
"""


def photo(fmt: str = "JPEG", size: tuple[int, int] = (64, 48)) -> bytes:
    """A picture carrying a camera make and a GPS position in its EXIF."""
    image = Image.new("RGB", size, (200, 40, 40))
    exif = Image.Exif()
    exif[0x010F] = CANARY_MAKE  # Make
    exif[0x0112] = 6  # Orientation: rotated 90 degrees
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (30.0, 16.0, 12.0)
    gps[3] = "W"
    gps[4] = (97.0, 44.0, 35.0)
    out = io.BytesIO()
    image.save(out, fmt, exif=exif.tobytes())
    return out.getvalue()


PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


async def upload(
    http: httpx.AsyncClient,
    token: str | None,
    data: bytes,
    content_type: str = "image/jpeg",
    name: str = "photo.jpg",
) -> httpx.Response:
    headers = {"content-type": content_type}
    if token:
        headers["authorization"] = f"Bearer {token}"
    return await http.post("/files", params={"name": name}, content=data, headers=headers)


async def uploaded(http: httpx.AsyncClient, token: str, data: bytes, **kwargs: Any) -> str:
    response = await upload(http, token, data, **kwargs)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def path_of(url: str) -> str:
    return "/" + url.split("/", 3)[3]
