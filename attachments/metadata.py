"""Photos from the public lose what the camera wrote about them: a phone's photo carries
its GPS position, the device and the time in EXIF/XMP (JPEG APP1, IPTC in APP13; PNG's
eXIf and text chunks). The picture itself is kept byte for byte, so nothing is re-encoded
and no imaging library is needed."""

import struct

JPEG_DROPPED = {0xE1, 0xED}  # APP1 (EXIF, XMP), APP13 (IPTC / Photoshop)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_DROPPED = {b"eXIf", b"tEXt", b"zTXt", b"iTXt", b"tIME"}
START_OF_SCAN = 0xDA
STANDALONE = {0x01, *range(0xD0, 0xD8)}  # TEM, RST0–7: markers without a length


def strip_jpeg(data: bytes) -> bytes:
    if data[:2] != b"\xff\xd8":
        return data
    out, i = [data[:2]], 2
    while i + 4 <= len(data):
        if data[i] != 0xFF:
            return data  # not where a marker should be: leave the file as it came
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if marker in STANDALONE:
            out.append(data[i : i + 2])
            i += 2
            continue
        (length,) = struct.unpack(">H", data[i + 2 : i + 4])
        end = i + 2 + length
        if length < 2 or end > len(data):
            return data
        if marker == START_OF_SCAN:
            out.append(data[i:])  # the image data up to the end, as it is
            return b"".join(out)
        if marker not in JPEG_DROPPED:
            out.append(data[i:end])
        i = end
    return data


def strip_png(data: bytes) -> bytes:
    if not data.startswith(PNG_SIGNATURE):
        return data
    out, i = [PNG_SIGNATURE], len(PNG_SIGNATURE)
    while i + 8 <= len(data):
        (length,) = struct.unpack(">I", data[i : i + 4])
        kind = data[i + 4 : i + 8]
        end = i + 12 + length
        if end > len(data):
            return data
        if kind not in PNG_DROPPED:
            out.append(data[i:end])
        i = end
        if kind == b"IEND":
            return b"".join(out)
    return data


def strip_metadata(data: bytes, kind: str) -> bytes:
    """`data` without its metadata, for a "jpg" or "png" file; anything else unchanged."""
    if kind == "jpg":
        return strip_jpeg(data)
    if kind == "png":
        return strip_png(data)
    return data
