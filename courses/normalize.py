"""Normalisation of titles, URLs and the vocabulary fields of a resource record.

Every lookup first *folds* its input (NFKC so full-width ``ＡＢＣ１`` equals ``ABC1``,
traditional to simplified Chinese with zhconv, case-folded, separators dropped) so the
tables in :mod:`courses.vocab` only hold one spelling of each alias.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from functools import lru_cache
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

import zhconv

from courses import vocab

_SUBJECTS = vocab.invert(vocab.SUBJECTS)
_STAGES = vocab.invert(vocab.STAGES)
_LEVELS = vocab.invert(vocab.LEVELS)
_MEDIA_TYPES = vocab.invert(vocab.MEDIA_TYPES)
_LANGUAGES = vocab.invert(vocab.LANGUAGES)
_EDITIONS = vocab.invert(vocab.EDITIONS)

_SEPARATORS = re.compile(r"[\s\-_.·・]+")
_LIST_SPLIT = re.compile(r"[,;，；、|/]+")
_GRADE_SUFFIX = r"(?:上册|下册|上|下|第[一二]学期)?"
_GRADE_PATTERNS = (
    re.compile(r"^(?:grade|g|年级)(\d{1,2})$"),
    re.compile(r"^(\d{1,2})(?:年级|th|st|nd|rd)(?:grade)?" + _GRADE_SUFFIX + "$"),
    re.compile(r"^(\d{1,2})$"),
)
_CHINESE_GRADE = re.compile(r"^([一二三四五六七八九十]{1,2})年级" + _GRADE_SUFFIX + "$")
_GRADE_RANGE = re.compile(r"^\s*(\d{1,2})\s*[-~–]\s*(\d{1,2})\s*$")


# Ideograph blocks whose traditional characters zhconv knows (basic, extension A, compatibility).
_IDEOGRAPH_RANGES = ((0x3400, 0x4DC0), (0x4E00, 0xA000), (0xF900, 0xFB00))


@lru_cache(maxsize=1)
def _simplify_table() -> dict[int, str]:
    """Character-level traditional -> simplified table, taken from zhconv once (~0.2 s).

    zhconv.convert on whole texts also rewrites phrases, but costs ~200 us per lesson
    description; for matching, character-level mapping is what both sides need and
    str.translate does it ~100x faster.
    """
    table = {}
    for start, end in _IDEOGRAPH_RANGES:
        for code_point in range(start, end):
            simplified = zhconv.convert(chr(code_point), "zh-hans")
            if simplified != chr(code_point):
                table[code_point] = simplified
    return table


def to_simplified(text: str) -> str:
    """NFKC plus traditional -> simplified Chinese, character by character."""
    return unicodedata.normalize("NFKC", text).translate(_simplify_table())


def fold(text: str) -> str:
    """The lookup form of a short vocabulary value (subject, grade, level...)."""
    return _SEPARATORS.sub("", to_simplified(str(text)).casefold().strip())


def clean_text(text: object) -> str:
    """Display form: whitespace runs collapsed, ends trimmed, nothing else changed."""
    if text is None:
        return ""
    return " ".join(str(text).split())


def normalize_title(title: str) -> str:
    """Title form used for de-duplication: width-, case-, script- and punctuation-insensitive."""
    folded = to_simplified(title).casefold()
    # Keep letters and digits only: punctuation and spacing differ between copies of a lesson.
    return "".join(ch for ch in folded if unicodedata.category(ch)[0] in "LN")


def normalize_subject(value: object) -> str | None:
    """数学 / math / Mathematics / 數學 -> "math"; None when not a known subject."""
    if value is None or str(value).strip() == "":
        return None
    return _SUBJECTS.get(fold(value))


def normalize_stage(value: object) -> str | None:
    """小学/初中/高中/大学 and English names -> primary|junior|senior|university."""
    if value is None:
        return None
    return _STAGES.get(fold(value))


def normalize_grade(value: object) -> int | None:
    """初一 / 七年级 / grade 7 / G7 / 7 -> 7 (China's grades 1-12); None when not a grade."""
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value if 1 <= value <= 12 else None
    key = fold(value)
    number = vocab.GRADE_WORDS.get(key)
    if number is None:
        for pattern in _GRADE_PATTERNS:
            match = pattern.match(key)
            if match:
                number = int(match.group(1))
                break
    if number is None:
        match = _CHINESE_GRADE.match(key)
        if match:
            number = vocab.CHINESE_NUMERALS.get(match.group(1))
    return number if number is not None and 1 <= number <= 12 else None


def stage_for_grade(grade: int) -> str:
    if grade <= 6:
        return "primary"
    return "junior" if grade <= 9 else "senior"


def split_list(value: object) -> list[object]:
    """A list field may arrive as a JSON list or as "初一;初二" / "7,8" / "7-9" text."""
    if value is None:
        return []
    if isinstance(value, (list, tuple, set)):
        return [item for item in value if item is not None and str(item).strip() != ""]
    if isinstance(value, int):
        return [value]
    parts = [part.strip() for part in _LIST_SPLIT.split(str(value))]
    return [part for part in parts if part]


def parse_stages_and_grades(values: Iterable[object]) -> tuple[tuple[str, ...], tuple[int, ...], list[str]]:
    """Sort mixed stage/grade words into (stages, grades, unrecognised words).

    A grade implies its stage, so a record tagged only "初一" is also found under "junior".
    """
    stages: set[str] = set()
    grades: set[int] = set()
    unknown: list[str] = []
    for value in values:
        grade_range = _GRADE_RANGE.match(unicodedata.normalize("NFKC", value)) if isinstance(value, str) else None
        if grade_range:
            low, high = int(grade_range.group(1)), int(grade_range.group(2))
            if 1 <= low <= high <= 12:
                grades.update(range(low, high + 1))
                continue
        grade = normalize_grade(value)
        if grade is not None:
            grades.add(grade)
            continue
        stage = normalize_stage(value)
        if stage is not None:
            stages.add(stage)
            continue
        unknown.append(str(value))
    stages.update(stage_for_grade(grade) for grade in grades)
    order = list(vocab.STAGES)
    return tuple(sorted(stages, key=order.index)), tuple(sorted(grades)), unknown


def normalize_level(value: object) -> str | None:
    if value is None:
        return None
    return _LEVELS.get(fold(value))


def normalize_media_type(value: object) -> str | None:
    """Kexu media type from a word (视频, courseware, dc:type "MovingImage") or a MIME type."""
    if value is None or str(value).strip() == "":
        return None
    text = str(value).strip().lower()
    for prefix, media_type in vocab.MIME_MEDIA_TYPES:
        if text.startswith(prefix):
            return media_type
    return _MEDIA_TYPES.get(fold(value))


def normalize_language(value: object) -> str | None:
    """中文 / zh-CN / chi -> "zh"; unknown codes are kept lower-cased rather than dropped."""
    if value is None or str(value).strip() == "":
        return None
    code = _LANGUAGES.get(fold(value))
    if code:
        return code
    raw = str(value).strip().lower()
    return raw if re.fullmatch(r"[a-z]{2,3}(-[a-z0-9]{2,8})*", raw) else None


def normalize_edition(value: object) -> str | None:
    """人教版 / 人民教育出版社 / 人教 -> "人教"; unknown editions are folded, minus a trailing 版."""
    if value is None or str(value).strip() == "":
        return None
    key = fold(value)
    return _EDITIONS.get(key) or key.removesuffix("版") or None


_DURATION_ISO = re.compile(r"^p(?:t)?(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m)?(?:(\d+(?:\.\d+)?)s)?$")
_DURATION_CLOCK = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{2})$")
_DURATION_WORDS = re.compile(
    r"^(?:(\d+(?:\.\d+)?)(?:小时|h|hr|hrs|hour|hours))?(?:(\d+(?:\.\d+)?)(?:分钟|分|m|min|mins|minute|minutes))?$"
)


def parse_duration_minutes(value: object) -> int | None:
    """Minutes from 20 / "20" / "20分钟" / "1小时30分" / "PT20M" / "00:20:00" (h:mm:ss) / "20:30" (mm:ss).

    Raises ValueError for text that is none of these, so the record can say why it was skipped.
    """
    if value is None or (isinstance(value, str) and value.strip() == ""):
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if value < 0:
            raise ValueError("negative duration")
        return round(value)
    # Not fold(): that drops "-", and "-5" must stay invalid rather than become 5.
    key = re.sub(r"\s+", "", to_simplified(str(value)).casefold())
    if re.fullmatch(r"\d+(?:\.\d+)?", key):
        return round(float(key))
    clock = _DURATION_CLOCK.match(key)
    if clock:
        hours, minutes, seconds = clock.groups()
        if hours is None:  # "mm:ss", the way video players show a lesson's length
            return round(int(minutes) + int(seconds) / 60)
        return round(int(hours) * 60 + int(minutes) + int(seconds) / 60)
    for pattern in (_DURATION_ISO, _DURATION_WORDS):
        match = pattern.match(key)
        if match and any(match.groups()):
            parts = [float(part) if part else 0.0 for part in match.groups()]
            hours, minutes = parts[0], parts[1]
            seconds = parts[2] if len(parts) > 2 else 0.0
            return round(hours * 60 + minutes + seconds / 60)
    raise ValueError(f"not a duration: {value!r}")


_DEFAULT_PORTS = {"http": 80, "https": 443}
# Unreserved characters plus the sub-delimiters that are safe to leave alone in a path.
_PATH_SAFE = "/:@!$&'()*+,;=-._~"


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in vocab.TRACKING_PARAMS or lowered.startswith(vocab.TRACKING_PREFIXES)


def canonical_url(url: str, mobile_hosts: Mapping[str, str] | None = None) -> str:
    """One spelling of a resource URL, so two copies of a link compare equal.

    Lower-cases scheme and host, drops default ports, tracking parameters (utm_*, spm,
    from...), empty queries, trailing slashes and plain fragments (``#/route`` fragments of
    single-page apps are kept: they name the page), sorts the remaining parameters and maps a
    mobile host to its desktop host when ``mobile_hosts`` declares it (``{"m.x.cn": "www.x.cn"}``).
    Raises ValueError for anything but an absolute http(s) URL.
    """
    parts = urlsplit(str(url).strip())
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        raise ValueError(f"not an absolute http(s) URL: {url!r}")
    host = parts.hostname.lower().rstrip(".")
    if mobile_hosts:
        host = {key.lower(): value.lower() for key, value in mobile_hosts.items()}.get(host, host)
    try:
        port = parts.port
    except ValueError as exc:
        raise ValueError(f"bad port in URL: {url!r}") from exc
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    path = quote(unquote(parts.path), safe=_PATH_SAFE).rstrip("/")
    params = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking(k)]
    query = urlencode(sorted(params))
    fragment = parts.fragment if parts.fragment.startswith(("/", "!")) else ""
    return urlunsplit((scheme, netloc, path, query, fragment))
