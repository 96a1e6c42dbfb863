"""The file types teachers may upload, recognised by extension AND by their first bytes.

No sniffing library is among the pinned dependencies (python-magic needs libmagic on every
server), and the signatures needed for this short allow-list are fixed by the formats
themselves, so they are listed here. Office files (docx, pptx, xlsx) are zip packages: the
zip is opened to check it holds the part that makes it that kind of document.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO

SNIFF_BYTES = 64

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy Office (doc, ppt)
_ZIP = (b"PK\x03\x04", b"PK\x05\x06")


def _starts(*signatures: bytes) -> Callable[[bytes, IO[bytes]], bool]:
    return lambda head, _stream: head.startswith(signatures)


def _iso_media(head: bytes, _stream) -> bool:
    """MP4 and M4A: an ISO base media box whose type is "ftyp" at offset 4."""
    return head[4:8] == b"ftyp"


def _mp3(head: bytes, _stream) -> bool:
    # An ID3 tag, or straight into an MPEG audio frame (11 sync bits set).
    return head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0)


def _office_package(folder: str) -> Callable[[bytes, IO[bytes]], bool]:
    def check(head: bytes, stream: IO[bytes]) -> bool:
        if not head.startswith(_ZIP):
            return False
        try:
            with zipfile.ZipFile(stream) as package:
                names = package.namelist()
        except (zipfile.BadZipFile, OSError, ValueError):
            return False
        finally:
            stream.seek(0)
        return "[Content_Types].xml" in names and any(name.startswith(folder) for name in names)

    return check


@dataclass(frozen=True)
class FileType:
    label: str
    content_type: str
    media_type: str  # courses.records.MediaType value
    matches: Callable[[bytes, IO[bytes]], bool]


_PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
_DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

ALLOWED_TYPES: dict[str, FileType] = {
    "pdf": FileType("PDF", "application/pdf", "document", _starts(b"%PDF-")),
    "pptx": FileType("PowerPoint", _PPTX, "courseware", _office_package("ppt/")),
    "ppt": FileType("PowerPoint 97-2003", "application/vnd.ms-powerpoint", "courseware", _starts(_OLE)),
    "docx": FileType("Word", _DOCX, "document", _office_package("word/")),
    "doc": FileType("Word 97-2003", "application/msword", "document", _starts(_OLE)),
    "xlsx": FileType("Excel", _XLSX, "document", _office_package("xl/")),
    "mp4": FileType("MP4", "video/mp4", "video", _iso_media),
    "webm": FileType("WebM", "video/webm", "video", _starts(b"\x1a\x45\xdf\xa3")),
    "mp3": FileType("MP3", "audio/mpeg", "audio", _mp3),
    "m4a": FileType("M4A", "audio/mp4", "audio", _iso_media),
    "png": FileType("PNG", "image/png", "other", _starts(b"\x89PNG\r\n\x1a\n")),
    "jpg": FileType("JPEG", "image/jpeg", "other", _starts(b"\xff\xd8\xff")),
    "jpeg": FileType("JPEG", "image/jpeg", "other", _starts(b"\xff\xd8\xff")),
    "zip": FileType("ZIP", "application/zip", "other", _starts(*_ZIP)),
}

# For the file input's accept="" and the error message.
ALLOWED_EXTENSIONS = tuple(ALLOWED_TYPES)


def extension_of(filename: str) -> str:
    return filename.rsplit(".", 1)[-1].lower() if "." in filename else ""


def sniff(stream: IO[bytes], extension: str) -> bool:
    """True when the content of the seekable `stream` really is the type its extension claims."""
    file_type = ALLOWED_TYPES.get(extension)
    if file_type is None:
        return False
    stream.seek(0)
    head = stream.read(SNIFF_BYTES)
    stream.seek(0)
    return file_type.matches(head, stream)
