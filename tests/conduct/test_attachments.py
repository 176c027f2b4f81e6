"""Attachments: types read from the bytes, limits, and photos stripped of where they were taken."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from streetlight.conduct import attachments
from streetlight.conduct.attachments import AttachmentError, Kind, clean, clean_all

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def _photo(fmt: str = "JPEG", *, size: tuple[int, int] = (40, 20), mode: str = "RGB") -> bytes:
    """A phone-like photo: GPS position, camera make and serial, turned by its orientation tag."""
    image = Image.new(mode, size, color=(200, 30, 30) if mode == "RGB" else 3)
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0xA431] = "SERIAL-12345"  # BodySerialNumber
    exif[ORIENTATION] = 6  # rotate 90 degrees to view
    exif[GPS_IFD] = {1: "N", 2: (54.0, 34.0, 30.0), 3: "W", 4: (1.0, 14.0, 2.0)}
    out = io.BytesIO()
    image.save(out, format=fmt, exif=exif.tobytes())
    return out.getvalue()


@pytest.mark.parametrize(
    ("fmt", "kind"), [("JPEG", Kind.JPEG), ("PNG", Kind.PNG), ("WEBP", Kind.WEBP)]
)
def test_a_photo_keeps_its_pixels_upright_and_loses_every_metadata_field(
    fmt: str, kind: Kind
) -> None:
    sent = _photo(fmt)
    with Image.open(io.BytesIO(sent)) as before:
        assert before.getexif().get_ifd(GPS_IFD)  # the test photo does carry a position
    kept = clean(sent)
    assert (kept.kind, kept.stripped) == (kind, True)
    assert b"SERIAL-12345" not in kept.data and b"PhoneMaker" not in kept.data
    with Image.open(io.BytesIO(kept.data)) as after:
        assert len(after.getexif()) == 0
        assert not {"exif", "xmp", "icc_profile", "comment"} & set(after.info)
        assert after.size == (20, 40)  # turned upright as the tag said, then the tag dropped
        pixel = after.convert("RGB").getpixel((5, 5))
        assert isinstance(pixel, tuple) and pixel[0] > 150  # still the red photo


def test_a_palette_image_keeps_its_colours() -> None:
    image = Image.new("P", (4, 4))
    image.putpalette([0, 0, 0, 10, 200, 30] + [0] * 762)
    image.putpixel((1, 1), 1)
    out = io.BytesIO()
    image.save(out, format="PNG")
    with Image.open(io.BytesIO(clean(out.getvalue()).data)) as after:
        assert after.convert("RGB").getpixel((1, 1)) == (10, 200, 30)


def test_the_type_comes_from_the_bytes_and_documents_are_kept_as_sent() -> None:
    pdf = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n"
    assert clean(pdf) == attachments.Cleaned(pdf, Kind.PDF, stripped=False)
    assert clean("Il m'a suivie jusqu'à la gare.".encode()).kind is Kind.TEXT
    for refused in (b"MZ\x90\x00\x03", b"\x00\x01binary", b"\xff\xd8\xffnot really a jpeg"):
        with pytest.raises(AttachmentError):
            clean(refused)
    with pytest.raises(AttachmentError, match="empty"):
        clean(b"")


def test_limits_per_file_and_per_report(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(attachments, "MAX_FILE_BYTES", 100)
    with pytest.raises(AttachmentError, match="at most 0 MB"):
        clean(b"x" * 101)
    with pytest.raises(AttachmentError, match="at most 5 files"):
        clean_all([b"a"] * 6)


def test_an_image_too_big_to_decode_safely_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(attachments, "MAX_PIXELS", 100)
    with pytest.raises(AttachmentError, match="too large"):
        clean(_photo(size=(20, 20)))
