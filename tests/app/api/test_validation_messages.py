"""Bad input gets a 422 whose messages name the field and speak the caller's language."""

import importlib
import pkgutil

import flask_babel
import pytest
from flask_babel import LazyString, force_locale, gettext
from marshmallow import Schema, class_registry, validate

import app.api as api_package
from app.api.validation import TRANSLATED_VALIDATORS, UNTRANSLATED_KEYS, ApiSchema, Message
from app.participation.models import ContactChannel

# Chinese for the new messages comes with the translators' pass over the catalog; until then
# these stand in for it, so the tests show the messages really go through the zh catalog.
CHINESE = {
    "This field is required.": "此项必填。",
    "Unknown field.": "未知字段。",
    "Must be one of: %(choices)s.": "必须是以下之一：%(choices)s。",
    "Not a valid date and time (e.g. 2026-03-02T08:00:00+08:00).": "日期时间无效（例如 2026-03-02T08:00:00+08:00）。",
    "Not a valid integer.": "不是有效的整数。",
    "Must be between %(min)s and %(max)s.": "必须在 %(min)s 到 %(max)s 之间。",
}
CHANNELS = ", ".join(channel.value for channel in ContactChannel)

# One body with a missing required field, a bad choice, a wrong type and an unknown field.
BAD_CONTACT = {"channel": "pigeon", "contacted_at": "yesterday", "colour": "blue"}


@pytest.fixture
def app(make_app):
    # The shipped default language: a Chinese browser gets Chinese, an English one English.
    return make_app(BABEL_DEFAULT_LOCALE="zh_Hans_CN")


class _CatalogWithChinese:
    def __init__(self, real):
        self.real = real

    def ugettext(self, msgid):
        return CHINESE.get(msgid) or self.real.ugettext(msgid)


@pytest.fixture
def chinese_catalog(monkeypatch):
    real_translations = flask_babel.Domain.get_translations

    def translations(domain):
        real = real_translations(domain)
        return _CatalogWithChinese(real) if str(flask_babel.get_locale()).startswith("zh") else real

    monkeypatch.setattr(flask_babel.Domain, "get_translations", translations)


def _post_contact(client, headers):
    response = client.post("/api/v1/students/1/contacts", json=BAD_CONTACT, headers=headers)
    assert response.status_code == 422
    body = response.get_json()
    assert set(body["errors"]) == {"outcome", "channel", "contacted_at", "colour"}
    return body


def test_bad_body_answers_422_in_english_naming_each_field(client, make_user, bearer):
    headers = {**bearer(make_user(roles=["teacher"])), "Accept-Language": "en"}
    body = _post_contact(client, headers)
    assert body["message"] == "Some of the data is not valid."
    assert body["errors"] == {
        "outcome": ["This field is required."],
        "channel": [f"Must be one of: {CHANNELS}."],
        "contacted_at": ["Not a valid date and time (e.g. 2026-03-02T08:00:00+08:00)."],
        "colour": ["Unknown field."],
    }


def test_bad_body_answers_in_chinese_for_accept_language_zh(client, make_user, bearer, chinese_catalog):
    headers = {**bearer(make_user(roles=["teacher"])), "Accept-Language": "zh-CN,zh;q=0.9"}
    body = _post_contact(client, headers)
    assert body["message"] == "部分数据无效。"
    assert body["errors"] == {
        "outcome": ["此项必填。"],
        "channel": [f"必须是以下之一：{CHANNELS}。"],
        "contacted_at": ["日期时间无效（例如 2026-03-02T08:00:00+08:00）。"],
        "colour": ["未知字段。"],
    }


def test_the_users_saved_language_wins_over_accept_language(client, make_user, bearer, chinese_catalog):
    user = make_user(roles=["teacher"], locale="zh_Hans_CN")
    body = _post_contact(client, {**bearer(user), "Accept-Language": "en"})
    assert body["errors"]["outcome"] == ["此项必填。"]


def test_query_arguments_of_the_wrong_type_or_range_are_translated(client, make_user, bearer, chinese_catalog):
    headers = {**bearer(make_user()), "Accept-Language": "zh-CN"}
    response = client.get("/api/v1/courses?page=first&per_page=0", headers=headers)
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"page": ["不是有效的整数。"], "per_page": ["必须在 1 到 200 之间。"]}


def test_the_messages_match_the_zh_catalog(client, make_user, bearer, app):
    """Whatever the catalog holds for zh_Hans_CN today is what the caller reads."""
    body = _post_contact(client, {**bearer(make_user(roles=["teacher"])), "Accept-Language": "zh-CN"})
    with app.test_request_context(), force_locale("zh_Hans_CN"):
        assert body["errors"]["outcome"] == [gettext("This field is required.")]
        assert body["errors"]["colour"] == [gettext("Unknown field.")]


def test_a_body_that_is_not_json_answers_400_in_the_callers_language(client, make_user, bearer):
    headers = {**bearer(make_user(roles=["teacher"])), "Accept-Language": "en", "Content-Type": "application/json"}
    response = client.post("/api/v1/students/1/contacts", data="{not json", headers=headers)
    assert response.status_code == 400
    assert response.get_json()["errors"] == {"json": ["The request body is not valid JSON."]}


# --- every API schema uses the translated messages --------------------------------------------------


def _api_schemas() -> list[type[Schema]]:
    for module in pkgutil.iter_modules(api_package.__path__):
        importlib.import_module(f"app.api.{module.name}")
    found = {cls for classes in class_registry._registry.values() for cls in classes}
    return sorted((cls for cls in found if cls.__module__.startswith("app.api.")), key=lambda cls: cls.__name__)


def _all_fields(field):
    yield field
    for attribute in ("inner", "key_field", "value_field"):
        if getattr(field, attribute, None) is not None:
            yield from _all_fields(getattr(field, attribute))


def _english_messages(schema: Schema) -> list[str]:
    found = []
    for name, field in schema.fields.items():
        for each in _all_fields(field):
            for key, message in each.error_messages.items():
                if key not in UNTRANSLATED_KEYS and not isinstance(message, Message | LazyString):
                    found.append(f"{name}: {type(each).__name__} {key}")
            for validator in each.validators:
                if not isinstance(validator, TRANSLATED_VALIDATORS):
                    if not callable(validator) or hasattr(validator, "error"):
                        found.append(f"{name}: {type(validator).__name__} has no translated messages")
                    continue
                texts = [validator.error] if isinstance(validator, validate.OneOf) else [validator.message_all]
                if not all(isinstance(text, Message | LazyString) for text in texts):
                    found.append(f"{name}: {type(validator).__name__}")
    return found


def test_every_api_schema_derives_from_the_translated_base():
    schemas = _api_schemas()
    assert len(schemas) > 30
    assert [cls.__name__ for cls in schemas if not issubclass(cls, ApiSchema)] == []


@pytest.mark.parametrize("schema_class", _api_schemas(), ids=lambda cls: cls.__name__)
def test_no_api_schema_keeps_an_english_marshmallow_message(schema_class):
    assert _english_messages(schema_class()) == []
