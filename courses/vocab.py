"""Lookup tables for normalisation: Chinese and English names mapped to Kexu's codes.

Keys are written already folded (NFKC, simplified Chinese, lower case, no spaces) because
:func:`courses.normalize.fold` is applied to a value before it is looked up here.
"""

from __future__ import annotations

# Subject codes follow the national curriculum's subject list (课程方案); English aliases
# are what international feeds and the English UI use.
SUBJECTS: dict[str, tuple[str, ...]] = {
    "chinese": ("语文", "chinese", "chineselanguage", "chineselanguageandliterature", "languagearts", "yuwen"),
    "math": ("数学", "math", "maths", "mathematics", "shuxue"),
    "english": ("英语", "english", "englishlanguage", "yingyu"),
    "physics": ("物理", "physics", "wuli"),
    "chemistry": ("化学", "chemistry", "huaxue"),
    "biology": ("生物", "生物学", "biology", "shengwu"),
    "history": ("历史", "history", "lishi"),
    "geography": ("地理", "geography", "dili"),
    "politics": (
        "道德与法治",
        "思想政治",
        "思想品德",
        "政治",
        "思政",
        "politics",
        "moralityandlaw",
        "ideologyandpolitics",
        "civics",
    ),
    "science": ("科学", "science"),
    "it": ("信息技术", "信息科技", "informationtechnology", "it", "ict"),
    "general_technology": ("通用技术", "generaltechnology"),
    "music": ("音乐", "music"),
    "art": ("美术", "艺术", "art", "arts", "finearts"),
    "pe": ("体育", "体育与健康", "pe", "physicaleducation", "physicaleducationandhealth", "sports"),
    "psychology": ("心理健康", "心理", "mentalhealth", "psychology"),
    "labour": ("劳动", "劳动教育", "labour", "labor", "laboureducation"),
    "safety": ("安全教育", "防疫教育", "safety", "safetyeducation"),
    "japanese": ("日语", "japanese"),
    "russian": ("俄语", "russian"),
    "computer_science": ("计算机", "计算机科学", "computerscience", "cs"),
}

STAGES: dict[str, tuple[str, ...]] = {
    "primary": ("小学", "primary", "primaryschool", "elementary", "elementaryschool"),
    "junior": ("初中", "初级中学", "junior", "juniorhigh", "juniorhighschool", "juniorsecondary", "middleschool"),
    "senior": ("高中", "高级中学", "senior", "seniorhigh", "seniorhighschool", "seniorsecondary", "highschool"),
    "university": ("大学", "高校", "高等教育", "本科", "university", "college", "higher", "highereducation"),
}

# Grade words that are not "<number> 年级": the junior/senior short forms everybody uses.
GRADE_WORDS: dict[str, int] = {
    "初一": 7,
    "初二": 8,
    "初三": 9,
    "高一": 10,
    "高二": 11,
    "高三": 12,
    "初中一年级": 7,
    "初中二年级": 8,
    "初中三年级": 9,
    "高中一年级": 10,
    "高中二年级": 11,
    "高中三年级": 12,
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
    "eleventh": 11,
    "twelfth": 12,
}

CHINESE_NUMERALS: dict[str, int] = {
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    "十": 10,
    "十一": 11,
    "十二": 12,
}

LEVELS: dict[str, tuple[str, ...]] = {
    "national": ("national", "国家", "国家级", "全国", "中央", "country"),
    "provincial": ("provincial", "省", "省级", "province", "自治区", "直辖市"),
    "municipal": ("municipal", "市", "市级", "区", "区级", "县", "县级", "city", "district", "county"),
    "school": ("school", "校", "校级", "学校", "本校", "校本"),
}

MEDIA_TYPES: dict[str, tuple[str, ...]] = {
    "video": ("video", "视频", "微课", "录像", "录播", "直播回放", "movingimage", "film", "lecture"),
    "courseware": ("courseware", "课件", "ppt", "slides", "presentation", "interactiveresource", "教学设计"),
    "textbook": ("textbook", "教材", "电子教材", "电子课本", "课本", "etextbook", "ebook"),
    "mooc": ("mooc", "慕课", "在线课程", "网络课程", "onlinecourse", "course"),
    "document": ("document", "文档", "讲义", "学案", "习题", "练习", "试卷", "text", "pdf", "worksheet"),
    "audio": ("audio", "音频", "广播", "sound", "podcast"),
    "other": ("other", "其他", "其它"),
}

# MIME type prefixes as sent in RSS enclosures and dc:format.
MIME_MEDIA_TYPES: tuple[tuple[str, str], ...] = (
    ("video/", "video"),
    ("audio/", "audio"),
    ("application/pdf", "document"),
    ("application/vnd.ms-powerpoint", "courseware"),
    ("application/vnd.openxmlformats-officedocument.presentationml", "courseware"),
    ("application/msword", "document"),
    ("application/vnd.openxmlformats-officedocument.wordprocessingml", "document"),
    ("application/epub", "textbook"),
)

LANGUAGES: dict[str, tuple[str, ...]] = {
    "zh": ("zh", "zhcn", "zhhans", "zhhant", "zhtw", "zhhk", "chi", "zho", "中文", "汉语", "普通话", "chinese"),
    "en": ("en", "enus", "engb", "eng", "英语", "英文", "english"),
    "ja": ("ja", "jpn", "日语", "japanese"),
    "ru": ("ru", "rus", "俄语", "russian"),
}

# Textbook editions go by many names; these are the editions of the 2020 national lessons.
EDITIONS: dict[str, tuple[str, ...]] = {
    "统编": ("统编", "部编", "部编版", "统编版", "教育部统编"),
    "人教": ("人教", "人教版", "人民教育出版社", "人教社", "pep"),
    "北师大": ("北师大", "北师大版", "北京师范大学出版社"),
    "苏教": ("苏教", "苏教版", "江苏教育出版社", "凤凰教育"),
    "沪教": ("沪教", "沪教版", "上海教育出版社"),
    "外研": ("外研", "外研版", "外语教学与研究出版社", "fltrp"),
    "湘教": ("湘教", "湘教版", "湖南教育出版社"),
    "浙教": ("浙教", "浙教版", "浙江教育出版社"),
}

# Query parameters that only say where a click came from; dropped from canonical URLs.
TRACKING_PARAMS: frozenset[str] = frozenset(
    {
        "spm",
        "from",
        "fromid",
        "share_from",
        "share_source",
        "share_medium",
        "share_token",
        "sharesource",
        "isappinstalled",
        "scene",
        "clicktime",
        "enterid",
        "vd_source",
        "fbclid",
        "gclid",
        "yclid",
        "mc_cid",
        "mc_eid",
        "_hsenc",
        "_hsmi",
        "ref_src",
    }
)
TRACKING_PREFIXES: tuple[str, ...] = ("utm_",)


def invert(table: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """Alias -> code, for lookups."""
    return {alias: code for code, aliases in table.items() for alias in (code, *aliases)}
