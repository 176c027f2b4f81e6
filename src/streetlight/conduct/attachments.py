"""What a reporter may attach, and what is kept of it.

A photo from a phone carries where and when it was taken (EXIF GPS), the phone's make and often
its serial number: enough to find the reporter. So every image is decoded and encoded afresh from
its pixels alone (turned upright first, as its orientation tag said), which keeps no metadata at
all. The type is read from the bytes, never from the name or the browser's word for it. Documents
(PDF, plain text) are kept as sent, and the form says so: their own metadata is the reporter's to
remove. Sizes are limited per file and per report so one report cannot fill the disk.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from enum import StrEnum

from PIL import Image, ImageOps, UnidentifiedImageError

from streetlight.errors import ConductError

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_FILES = 5
MAX_REPORT_BYTES = 25 * 1024 * 1024
# Decoding cost is what a hostile image attacks: 50 megapixels is a large phone photo.
MAX_PIXELS = 50_000_000


class Kind(StrEnum):
    JPEG = "image/jpeg"
    PNG = "image/png"
    WEBP = "image/webp"
    PDF = "application/pdf"
    TEXT = "text/plain"


IMAGES = frozenset({Kind.JPEG, Kind.PNG, Kind.WEBP})
_PLAIN_MODES = frozenset({"L", "RGB", "RGBA"})
_PILLOW_FORMAT = {Kind.JPEG: "JPEG", Kind.PNG: "PNG", Kind.WEBP: "WEBP"}


class AttachmentError(ConductError, ValueError):
    """An attachment refused, with the reason to show the reporter (never its content)."""


@dataclass(frozen=True)
class Cleaned:
    """What is stored (then encrypted): the bytes, their type, and whether metadata went."""

    data: bytes
    kind: Kind
    stripped: bool


def sniff(data: bytes) -> Kind | None:
    """The type from the first bytes (the files' own signatures)."""
    if data.startswith(b"\xff\xd8\xff"):
        return Kind.JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return Kind.PNG
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return Kind.WEBP
    if data.startswith(b"%PDF-"):
        return Kind.PDF
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return Kind.TEXT if "\x00" not in text else None


def _reencode(data: bytes, kind: Kind) -> bytes:
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.width * image.height > MAX_PIXELS:
                raise AttachmentError("the image is too large to take (over 50 megapixels)")
            upright = ImageOps.exif_transpose(image)
            if upright.mode not in _PLAIN_MODES or (kind is Kind.JPEG and upright.mode != "L"):
                upright = upright.convert("RGB" if kind is Kind.JPEG else "RGBA")
            # A new image from the pixels alone: no EXIF, XMP, ICC profile, text chunk or
            # comment can come along.
            pixels = Image.frombytes(upright.mode, upright.size, upright.tobytes())
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as error:
        raise AttachmentError("the image could not be read: it may be damaged") from error
    out = io.BytesIO()
    options = {"quality": 90} if kind is not Kind.PNG else {}
    pixels.save(out, format=_PILLOW_FORMAT[kind], **options)
    return out.getvalue()


def clean(data: bytes) -> Cleaned:
    """One attachment checked and, for an image, stripped of every metadata field."""
    if not data:
        raise AttachmentError("the file is empty")
    if len(data) > MAX_FILE_BYTES:
        raise AttachmentError(f"a file may be at most {MAX_FILE_BYTES // (1024 * 1024)} MB")
    kind = sniff(data)
    if kind is None:
        raise AttachmentError("only photos (JPEG, PNG, WebP), PDF documents and plain text")
    if kind in IMAGES:
        return Cleaned(_reencode(data, kind), kind, stripped=True)
    return Cleaned(data, kind, stripped=False)


def clean_all(files: list[bytes]) -> list[Cleaned]:
    """A report's attachments, all or none: one refused file refuses the set (the reporter
    fixes it and sends again; nothing is half-stored)."""
    if len(files) > MAX_FILES:
        raise AttachmentError(f"at most {MAX_FILES} files with one report")
    if sum(len(f) for f in files) > MAX_REPORT_BYTES:
        raise AttachmentError(f"at most {MAX_REPORT_BYTES // (1024 * 1024)} MB with one report")
    return [clean(f) for f in files]
