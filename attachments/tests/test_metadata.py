"""A public photo loses its EXIF/XMP (GPS position, device) and PNG text chunks; the image
bytes stay as they were."""

import struct
import zlib

from attachments.metadata import strip_jpeg, strip_png


def _segment(marker: int, payload: bytes) -> bytes:
    return bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload


def test_jpeg_loses_app1_and_app13_and_keeps_the_rest():
    jfif = _segment(0xE0, b"JFIF\x00\x01\x01")
    exif = _segment(0xE1, b"Exif\x00\x00GPS 30.59N 114.30E")
    icc = _segment(0xE2, b"ICC_PROFILE\x00")
    iptc = _segment(0xED, b"Photoshop 3.0\x00")
    scan = _segment(0xDA, b"\x01\x01\x00") + b"\x12\x34\xff\x00\x56" + b"\xff\xd9"
    photo = b"\xff\xd8" + jfif + exif + icc + iptc + scan
    clean = strip_jpeg(photo)
    assert b"GPS" not in clean and b"Photoshop" not in clean
    assert clean == b"\xff\xd8" + jfif + icc + scan


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def test_png_loses_exif_and_text_chunks():
    header = _chunk(b"IHDR", b"\x00" * 13)
    image = _chunk(b"IDAT", b"pixels")
    end = _chunk(b"IEND", b"")
    photo = (
        b"\x89PNG\r\n\x1a\n" + header + _chunk(b"eXIf", b"GPS") + _chunk(b"tEXt", b"Author\x00x")
        + image + end
    )  # fmt: skip
    assert strip_png(photo) == b"\x89PNG\r\n\x1a\n" + header + image + end


def test_anything_odd_is_left_as_it_came():
    assert strip_jpeg(b"\xff\xd8\x00garbage") == b"\xff\xd8\x00garbage"
    assert strip_png(b"not a png") == b"not a png"
