"""Checking an uploaded file by its bytes, and re-encoding images.

Only JPEG and PNG images and PDF documents are taken. The type comes from the first
bytes (the name and the claimed type are only compared with it). Images are decoded and
written again, which drops EXIF (camera, time, GPS location) and anything hidden after
the picture; a JPEG is turned upright first, since its orientation lived in the EXIF.
"""

from __future__ import annotations

import io
import re
import unicodedata
import warnings
from dataclasses import dataclass
from enum import StrEnum

from PIL import Image, ImageOps, UnidentifiedImageError

from services.errors import DomainError


class UploadErrorCode(StrEnum):
    """Rule failures of an upload; nothing is stored."""

    EMPTY_FILE = "EMPTY_FILE"
    FILE_TOO_LARGE = "FILE_TOO_LARGE"
    # Neither a JPEG, a PNG nor a PDF, whatever its name says.
    FILE_TYPE_NOT_ALLOWED = "FILE_TYPE_NOT_ALLOWED"
    # The bytes are of another type than the one claimed.
    FILE_TYPE_MISMATCH = "FILE_TYPE_MISMATCH"
    # It starts like an image but does not decode as one (or is far too many pixels).
    BROKEN_IMAGE = "BROKEN_IMAGE"
    # More uploads in the past hour than anyone sends by hand.
    TOO_MANY_UPLOADS = "TOO_MANY_UPLOADS"


JPEG = "image/jpeg"
PNG = "image/png"
PDF = "application/pdf"
ALLOWED = (JPEG, PNG, PDF)
IMAGES = (JPEG, PNG)
# 40 megapixels: more than any phone camera, far less than a decompression bomb.
MAX_PIXELS = 40_000_000
_EXTENSIONS = {JPEG: ".jpg", PNG: ".png", PDF: ".pdf"}
_CLAIM_ALIASES = {"image/jpg": JPEG, "image/pjpeg": JPEG, "application/x-pdf": PDF}


@dataclass(frozen=True)
class Prepared:
    """A file ready to store: its bytes (re-encoded for images) and what it is."""

    data: bytes
    content_type: str
    name: str
    width: int | None = None
    height: int | None = None


def sniffed(data: bytes) -> str | None:
    """The type the bytes themselves say, or None."""
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data[:1024].lstrip(b"\x00\t\n\r ").startswith(b"%PDF-"):
        return PDF
    return None


def refuse_size(size: int, max_bytes: int) -> None:
    """Over the limit: refused before the bytes are even read."""
    if size > max_bytes:
        raise DomainError(
            UploadErrorCode.FILE_TOO_LARGE,
            f"A file may be at most {max_bytes // (1024 * 1024)} MB.",
            "file",
        )


def clean_name(name: str | None, content_type: str) -> str:
    """A name to show: printable, no path, at most 120 characters, the right extension."""
    text = unicodedata.normalize("NFC", name or "")
    text = text.replace("\\", "/").rsplit("/", 1)[-1]
    text = "".join(c for c in text if unicodedata.category(c)[0] not in {"C", "Z"} or c == " ")
    stem = re.sub(r"\s+", " ", text.rsplit(".", 1)[0] if "." in text else text).strip(" .")
    extension = _EXTENSIONS[content_type]
    return (stem or "file")[: 120 - len(extension)] + extension


def checked(data: bytes, claimed: str | None, name: str | None, max_bytes: int) -> Prepared:
    """The upload's rules, in order: not empty, not too large, an allowed type whose bytes
    match the claim, and (images) a picture that decodes."""
    if not data:
        raise DomainError(UploadErrorCode.EMPTY_FILE, "The file is empty.", "file")
    refuse_size(len(data), max_bytes)
    found = sniffed(data)
    if found is None:
        raise DomainError(
            UploadErrorCode.FILE_TYPE_NOT_ALLOWED,
            "Send a photo (JPEG or PNG) or a PDF document.",
            "file",
        )
    claim = (claimed or "").split(";", 1)[0].strip().lower()
    claim = _CLAIM_ALIASES.get(claim, claim)
    if claim and claim != "application/octet-stream" and claim != found:
        raise DomainError(
            UploadErrorCode.FILE_TYPE_MISMATCH,
            "The file's contents do not match its type.",
            "file",
        )
    if found in IMAGES:
        return _reencoded(data, found, clean_name(name, found))
    return Prepared(data=data, content_type=found, name=clean_name(name, found))


def _broken() -> DomainError:
    return DomainError(UploadErrorCode.BROKEN_IMAGE, "The picture cannot be read.", "file")


def _reencoded(data: bytes, content_type: str, name: str) -> Prepared:
    """Decode and write again: pixels only, no metadata, upright."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.width * image.height > MAX_PIXELS:
                    raise _broken()
                image.load()
                upright = ImageOps.exif_transpose(image)
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as e:
        raise _broken() from e
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as e:
        raise _broken() from e
    out = io.BytesIO()
    if content_type == JPEG:
        upright.convert("RGB").save(out, "JPEG", quality=88, optimize=True)
    else:
        keep = upright.mode if upright.mode in {"RGB", "RGBA", "L", "LA", "P"} else "RGBA"
        upright.convert(keep).save(out, "PNG", optimize=True)
    return Prepared(
        data=out.getvalue(),
        content_type=content_type,
        name=name,
        width=upright.width,
        height=upright.height,
    )
