"""Translated labels for the enumerations users see (roles, stages, unit kinds)."""

from flask_babel import lazy_gettext as _l

ROLE_LABELS = {
    "student": _l("Student"),
    "teacher": _l("Teacher"),
    "class_teacher": _l("Class teacher"),
    "academic_affairs": _l("Academic affairs"),
    "admin": _l("Administrator"),
}

STAGE_LABELS = {
    "primary_1_2": _l("Primary grades 1-2"),
    "primary_3_6": _l("Primary grades 3-6"),
    "junior": _l("Junior secondary"),
    "senior": _l("Senior secondary"),
    "university": _l("University"),
}

UNIT_KIND_LABELS = {
    "school": _l("School"),
    "stage": _l("Stage"),
    "department": _l("Department"),
    "grade": _l("Grade"),
    "class": _l("Class"),
}


def label(table: dict, value) -> str:
    return str(table.get(str(value), value)) if value is not None else ""


def init_app(app) -> None:
    app.jinja_env.globals.update(
        role_label=lambda value: label(ROLE_LABELS, value),
        stage_label=lambda value: label(STAGE_LABELS, value),
        unit_kind_label=lambda value: label(UNIT_KIND_LABELS, value),
    )
