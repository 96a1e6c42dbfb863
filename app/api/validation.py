"""Validation messages of the JSON API in the caller's language.

marshmallow's own messages ("Missing data for required field.", "Not a valid integer.", the
OneOf/Length/Range texts) are English constants. Every API schema derives from `ApiSchema`,
which swaps each default message of its fields and validators for a `Message`: an English
msgid that is translated into the request's language when the error is raised. What is not
formatted by marshmallow (the schema-level "Unknown field.") and any lazy string a schema
declares itself is translated by `render_messages` when the 422 answer is built.
"""

from __future__ import annotations

from flask_babel import gettext
from marshmallow import Schema, fields, validate


class Message(str):
    """An English msgid with `%(name)s` placeholders, translated when marshmallow formats it.

    It must be a str: marshmallow calls `.format(**kwargs)` on a message only if it is one
    (a flask-babel LazyString would come out unformatted).
    """

    __slots__ = ()

    def format(self, *args, **kwargs) -> str:
        return gettext(str.__str__(self), **kwargs)

    def translated(self) -> str:
        return gettext(str.__str__(self))


def N_(msgid: str) -> Message:  # noqa: N802 - the extraction keyword for "translate later"
    return Message(msgid)


REQUIRED = N_("This field is required.")
EXPECTED_OBJECT = N_("Expected an object of named fields.")
NOT_A_NUMBER = N_("Not a valid number.")
ONE_OF = N_("Must be one of: %(choices)s.")
DATETIME = N_("Not a valid date and time (e.g. 2026-03-02T08:00:00+08:00).")
DATE = N_("Not a valid date (e.g. 2026-03-02).")
TIME = N_("Not a valid time (e.g. 08:00).")

# Keyed by the field class that declares the message in marshmallow; subclasses inherit it.
FIELD_MESSAGES: dict[type, dict[str, Message]] = {
    fields.Field: {
        "required": REQUIRED,
        "null": N_("This field may not be null."),
        "validator_failed": N_("Invalid value."),
    },
    fields.Nested: {"type": EXPECTED_OBJECT},
    fields.Mapping: {"invalid": EXPECTED_OBJECT},
    fields.List: {"invalid": N_("Expected a list.")},
    fields.String: {"invalid": N_("Expected text."), "invalid_utf8": N_("The text is not valid UTF-8.")},
    fields.Number: {"invalid": NOT_A_NUMBER, "too_large": N_("The number is too large.")},
    fields.Integer: {"invalid": N_("Not a valid integer.")},
    fields.Float: {"special": NOT_A_NUMBER},
    fields.Decimal: {"special": NOT_A_NUMBER},
    fields.Boolean: {"invalid": N_("Expected true or false.")},
    fields.DateTime: {"invalid": DATETIME, "invalid_awareness": DATETIME},
    fields.AwareDateTime: {
        "invalid_awareness": N_("Give the date and time with its time zone offset (e.g. 2026-03-02T08:00:00+08:00).")
    },
    fields.NaiveDateTime: {"invalid_awareness": N_("Give the date and time without a time zone offset.")},
    # Dates and times inherit an awareness message that only date-times ever raise.
    fields.Date: {"invalid": DATE, "invalid_awareness": DATE},
    fields.Time: {"invalid": TIME, "invalid_awareness": TIME},
    fields.Enum: {"unknown": ONE_OF},
}
# "format" errors happen while dumping an answer: a bug on our side, never the caller's input.
UNTRANSLATED_KEYS = {"format"}

RANGE_MIN = {True: N_("Must be at least %(min)s."), False: N_("Must be greater than %(min)s.")}
RANGE_MAX = {True: N_("Must be at most %(max)s."), False: N_("Must be less than %(max)s.")}
RANGE_ALL = {
    (True, True): N_("Must be between %(min)s and %(max)s."),
    (False, True): N_("Must be greater than %(min)s and at most %(max)s."),
    (True, False): N_("Must be at least %(min)s and less than %(max)s."),
    (False, False): N_("Must be greater than %(min)s and less than %(max)s."),
}
TEXT_LENGTH = {
    "message_min": N_("Must be at least %(min)s characters long."),
    "message_max": N_("Must be at most %(max)s characters long."),
    "message_all": N_("Must be between %(min)s and %(max)s characters long."),
    "message_equal": N_("Must be exactly %(equal)s characters long."),
}
ITEM_COUNT = {
    "message_min": N_("Must have at least %(min)s items."),
    "message_max": N_("Must have at most %(max)s items."),
    "message_all": N_("Must have between %(min)s and %(max)s items."),
    "message_equal": N_("Must have exactly %(equal)s items."),
}
NOT_EMPTY = N_("May not be empty.")
TRANSLATED_VALIDATORS = (validate.OneOf, validate.Range, validate.Length)


def _default_messages(field_class: type) -> dict[str, str]:
    messages: dict[str, str] = {}
    for cls in reversed(field_class.__mro__):
        messages.update(getattr(cls, "default_error_messages", {}))
    return messages


def _translation(field_class: type, key: str) -> Message | None:
    for cls in field_class.__mro__:
        if key in FIELD_MESSAGES.get(cls, {}):
            return FIELD_MESSAGES[cls][key]
    return None


def _inner_fields(field: fields.Field) -> list[fields.Field]:
    if isinstance(field, fields.List):
        return [field.inner]
    if isinstance(field, fields.Tuple):
        return list(field.tuple_fields)
    if isinstance(field, fields.Mapping):
        return [inner for inner in (field.key_field, field.value_field) if inner is not None]
    return []


def translate_validator(validator, field: fields.Field) -> None:
    """Swap a OneOf/Range/Length default message; a message the schema chose stays."""
    if isinstance(validator, validate.OneOf) and validator.error == validate.OneOf.default_message:
        validator.error = ONE_OF
    elif isinstance(validator, validate.Range) and validator.error is None:
        validator.message_min = RANGE_MIN[validator.min_inclusive]
        validator.message_max = RANGE_MAX[validator.max_inclusive]
        validator.message_all = RANGE_ALL[(validator.min_inclusive, validator.max_inclusive)]
    elif isinstance(validator, validate.Length) and validator.error is None:
        for name, message in (TEXT_LENGTH if isinstance(field, fields.String) else ITEM_COUNT).items():
            setattr(validator, name, message)
        if validator.min == 1 and validator.max is None:
            validator.message_min = NOT_EMPTY


def translate_field(field: fields.Field) -> None:
    """Give `field` (and the fields inside a list or mapping) translated default messages."""
    defaults = _default_messages(type(field))
    for key, message in list(field.error_messages.items()):
        if message == defaults.get(key):  # not a message the schema chose itself
            translated = _translation(type(field), key)
            if translated is not None:
                field.error_messages[key] = translated
    for validator in field.validators:
        translate_validator(validator, field)
    for inner in _inner_fields(field):
        translate_field(inner)


class ApiSchema(Schema):
    """The base of every API schema: its validation messages speak the caller's language."""

    error_messages = {"unknown": N_("Unknown field."), "type": EXPECTED_OBJECT}

    def on_bind_field(self, field_name: str, field_obj: fields.Field) -> None:
        translate_field(field_obj)


def render_messages(messages):
    """Field messages as plain translated str, ready for JSON (lazy strings are not)."""
    if isinstance(messages, dict):
        return {key: render_messages(value) for key, value in messages.items()}
    if isinstance(messages, list | tuple):
        return [render_messages(value) for value in messages]
    if isinstance(messages, Message):
        return messages.translated()
    if isinstance(messages, str):
        return messages
    return str(messages)  # a LazyString a schema declared, or a number in a key path


class Id(fields.Integer):
    """An id sent to the API: a whole number from 1 to the largest a row can have.

    A larger number would overflow the database's integer column (a 500) instead of being
    answered as invalid.
    """

    def __init__(self, **kwargs):
        from app.core.routing import MAX_ID

        validators = list(kwargs.pop("validate", None) or [])
        validators.append(validate.Range(min=1, max=MAX_ID))
        super().__init__(validate=validators, **kwargs)
