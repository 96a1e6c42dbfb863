"""Small real files of each allowed type, built in memory."""

import io
import zipfile


def office_package(folder: str) -> bytes:
    """A minimal Office Open XML package (docx: "word/", pptx: "ppt/", xlsx: "xl/")."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        package.writestr(f"{folder}document.xml", "<doc/>")
    return buffer.getvalue()


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
MP4 = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 32
WEBM = b"\x1a\x45\xdf\xa3" + b"\x00" * 32
MP3 = b"ID3\x03\x00" + b"\x00" * 32
JPG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 32

GOOD_FILES = {
    "讲义.pdf": PDF,
    "课件.pptx": office_package("ppt/"),
    "旧课件.ppt": OLE,
    "学案.docx": office_package("word/"),
    "旧学案.doc": OLE,
    "成绩.xlsx": office_package("xl/"),
    "微课.mp4": MP4,
    "微课.webm": WEBM,
    "朗读.mp3": MP3,
    "朗读.m4a": b"\x00\x00\x00\x20ftypM4A " + b"\x00" * 32,
    "板书.png": PNG,
    "板书.jpg": JPG,
    "资料.zip": b"PK\x03\x04" + b"\x00" * 32,
}
