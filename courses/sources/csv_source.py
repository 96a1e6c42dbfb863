"""CSV catalogs as schools and provinces keep them in spreadsheets.

Accepts UTF-8 (with or without the BOM Excel writes) and GBK/GB18030 (what Excel on a Chinese
Windows saves by default), comma- or tab-separated, with Chinese or English headers. Times
without an offset are read in the configured time zone (Asia/Shanghai by default).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from courses.normalize import fold
from courses.records import RecordError, ResourceRecord
from courses.sources import register
from courses.sources.base import N_, ConfigField, Source, SourceError, as_utc, unchanged_since

# Column order of the template; each column's English header, Chinese header, example value.
TEMPLATE_COLUMNS: tuple[tuple[str, str, str, str], ...] = (
    ("id", "编号", "sx7-001", "Your id for the resource; stable across exports (defaults to the URL)"),
    ("title", "标题", "一元一次方程的解法", "Required"),
    ("url", "链接", "https://example.edu.cn/lessons/sx7-001", "Required, http(s)"),
    ("description", "简介", "本课学习移项与合并同类项", ""),
    ("provider", "提供方", "某某区教育局", ""),
    ("level", "级别", "municipal", "national / provincial / municipal / school (or 国家/省/市/校)"),
    ("subject", "学科", "数学", "数学 / math ..."),
    ("stages", "学段", "初中", "小学 / 初中 / 高中 / 大学, several separated by ;"),
    ("grades", "年级", "七年级", "初一 / 七年级 / grade 7 / 7, several separated by ;"),
    ("edition", "教材版本", "人教版", ""),
    ("chapter", "章节", "第三章 一元一次方程", ""),
    ("duration_minutes", "时长(分钟)", "20", "Minutes, or 20分钟 / 00:20:00"),
    ("language", "语言", "zh", ""),
    ("licence", "许可", "CC BY-NC 4.0", ""),
    ("media_type", "类型", "视频", "video / courseware / textbook / mooc / document / audio / other"),
    ("thumbnail", "缩略图", "https://example.edu.cn/lessons/sx7-001.jpg", ""),
    ("updated", "更新时间", "2020-02-17 08:00", "Local time unless an offset is given"),
    ("deleted", "已下架", "", "1 / 是 when the resource was withdrawn"),
)

# Header aliases -> record field. Headers are folded (case, width, spaces) and lose any
# "(unit)" part before lookup, so "时长（分钟）" and "Duration (minutes)" both match.
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "external_id": ("id", "编号", "资源编号", "externalid", "identifier"),
    "title": ("title", "标题", "名称", "课程名称", "资源名称", "课题"),
    "url": ("url", "链接", "网址", "地址", "link"),
    "description": ("description", "简介", "描述", "说明", "summary"),
    "provider": ("provider", "提供方", "来源", "平台", "publisher"),
    "level": ("level", "级别", "层级"),
    "subject": ("subject", "学科", "科目"),
    "stages": ("stages", "stage", "学段"),
    "grades": ("grades", "grade", "年级"),
    "edition": ("edition", "教材版本", "版本", "textbookedition"),
    "chapter": ("chapter", "章节", "单元", "unit"),
    "duration_minutes": ("durationminutes", "duration", "时长", "时长分钟"),
    "language": ("language", "语言", "语种"),
    "licence": ("licence", "license", "许可", "版权", "rights"),
    "media_type": ("mediatype", "type", "类型", "资源类型"),
    "thumbnail_url": ("thumbnail", "thumbnailurl", "缩略图", "封面"),
    "updated_at": ("updated", "updatedat", "更新时间", "更新日期", "date"),
    "deleted": ("deleted", "已下架", "下架", "已删除", "withdrawn"),
}
_ALIAS_TO_FIELD = {alias: field for field, aliases in HEADER_ALIASES.items() for alias in aliases}
_UNIT_SUFFIX = re.compile(r"[(\[（【].*?[)\]）】]")


def header_field(header: str) -> str | None:
    """Record field for a CSV header, or None for a column Kexu does not read."""
    return _ALIAS_TO_FIELD.get(fold(_UNIT_SUFFIX.sub("", header or "")))


def decode(body: bytes, encoding: str = "auto") -> str:
    """Text of a CSV file: UTF-8 (BOM or not) first, then GB18030, a superset of GBK."""
    if encoding and encoding != "auto":
        try:
            return body.decode(encoding)
        except (LookupError, UnicodeDecodeError) as exc:
            raise SourceError(f"cannot decode the CSV as {encoding}: {exc}") from None
    for candidate in ("utf-8-sig", "gb18030"):
        try:
            return body.decode(candidate)
        except UnicodeDecodeError:
            continue
    raise SourceError("the CSV is neither UTF-8 nor GBK text")


def csv_template(language: str = "zh", with_example: bool = True) -> str:
    """The downloadable template: headers in ``language`` ("zh" or "en") and one example row.

    Serve it encoded as ``utf-8-sig`` so Excel shows the Chinese headers correctly.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([zh if language == "zh" else en for en, zh, _example, _help in TEMPLATE_COLUMNS])
    if with_example:
        writer.writerow([example for _en, _zh, example, _help in TEMPLATE_COLUMNS])
    return out.getvalue()


@register
class CsvSource(Source):
    type = "csv"
    name = "CSV file"
    extra_fields = (
        ConfigField("encoding", N_("Encoding"), kind="choice", default="auto", choices=("auto", "utf-8", "gbk")),
        ConfigField("timezone", N_("Time zone of times without offset"), default="Asia/Shanghai"),
    )

    def _zone(self) -> ZoneInfo:
        try:
            return ZoneInfo(str(self.config["timezone"]))
        except (ZoneInfoNotFoundError, ValueError):
            raise SourceError(f"unknown time zone {self.config['timezone']!r}") from None

    def fetch(self, since: datetime | None = None) -> Iterator[ResourceRecord | RecordError]:
        since = as_utc(since)
        zone = self._zone()
        body, _content_type = self.read_bytes(self.config["url"])
        text = decode(body, self.config.get("encoding", "auto"))
        if "\x00" in text:
            raise SourceError("not a CSV file (binary content; an .xlsx must be saved as CSV first)")
        first_line = text.split("\n", 1)[0]
        delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        headers = next(reader, None)
        if not headers:
            raise SourceError("the CSV is empty")
        fields = [header_field(h) for h in headers]
        for required in ("title", "url"):
            if required not in fields:
                names = " / ".join(HEADER_ALIASES[required][:3])
                raise SourceError(f"the CSV has no {required} column (a header such as {names})")
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue  # blank lines between blocks are common in hand-kept sheets
            position = f"row {reader.line_num}"
            if len(row) > len(fields):
                yield RecordError(f"{len(row)} cells but {len(fields)} headers", position=position)
                continue
            data = {field: cell for field, cell in zip(fields, row, strict=False) if field}
            record = self.build(data, position, default_tz=zone)
            if not unchanged_since(record, since):
                yield record
