"""Translated labels for the catalog's vocabulary codes (courses.vocab), for filters and badges."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.core.labels import label

SUBJECT_LABELS = {
    "chinese": _l("Chinese"),
    "math": _l("Mathematics"),
    "english": _l("English"),
    "physics": _l("Physics"),
    "chemistry": _l("Chemistry"),
    "biology": _l("Biology"),
    "history": _l("History"),
    "geography": _l("Geography"),
    "politics": _l("Morality, law and politics"),
    "science": _l("Science"),
    "it": _l("Information technology"),
    "general_technology": _l("General technology"),
    "music": _l("Music"),
    "art": _l("Art"),
    "pe": _l("Physical education"),
    "psychology": _l("Mental health"),
    "labour": _l("Labour education"),
    "safety": _l("Safety education"),
    "japanese": _l("Japanese"),
    "russian": _l("Russian"),
    "computer_science": _l("Computer science"),
}

LEVEL_LABELS = {
    "national": _l("National"),
    "provincial": _l("Provincial"),
    "municipal": _l("Municipal"),
    "school": _l("School"),
}

CATALOG_STAGE_LABELS = {
    "primary": _l("Primary school"),
    "junior": _l("Junior secondary"),
    "senior": _l("Senior secondary"),
    "university": _l("University"),
}

MEDIA_TYPE_LABELS = {
    "video": _l("Video"),
    "courseware": _l("Courseware"),
    "textbook": _l("Textbook"),
    "mooc": _l("MOOC"),
    "document": _l("Document"),
    "audio": _l("Audio"),
    "other": _l("Other"),
}

# The buckets of app.catalog.search.LENGTHS.
LENGTH_LABELS = {
    "short": _l("Up to 20 minutes"),
    "medium": _l("21 to 45 minutes"),
    "long": _l("Over 45 minutes"),
}

SORT_LABELS = {"relevance": _l("Best match"), "newest": _l("Newest"), "shortest": _l("Shortest")}


def grade_label(number) -> str:
    return _("Grade %(number)d", number=int(number)) if number is not None else ""


def template_helpers() -> dict:
    """subject_label("math"), level_label(...), media_label(...) and friends, for templates."""
    return {
        "subject_label": lambda value: label(SUBJECT_LABELS, value),
        "level_label": lambda value: label(LEVEL_LABELS, value),
        "catalog_stage_label": lambda value: label(CATALOG_STAGE_LABELS, value),
        "media_label": lambda value: label(MEDIA_TYPE_LABELS, value),
        "grade_label": grade_label,
    }
