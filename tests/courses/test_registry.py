"""The source registry and the configuration schema the app's source form is built from."""

from __future__ import annotations

import subprocess
import sys

import pytest

from courses.sources import Source, SourceError, available_types, get_source_class, make_source, register


def test_the_four_built_in_formats_are_available():
    assert available_types() == ["json", "csv", "rss", "oai_pmh"]
    assert get_source_class("oai_pmh").name == "OAI-PMH repository"


def test_unknown_types_are_refused_with_their_name():
    with pytest.raises(SourceError, match="unknown or unavailable source type 'ftp'"):
        get_source_class("ftp")


def test_a_source_whose_dependency_is_missing_is_not_registered():
    class NeedsMissingLibrary(Source):
        type = "needs_missing"

        @classmethod
        def enabled(cls):
            return False

    register(NeedsMissingLibrary)

    assert "needs_missing" not in available_types()


def test_the_configuration_schema_lists_fields_with_required_flags():
    schema = get_source_class("oai_pmh").configuration_schema()

    fields = {field["name"]: field for field in schema["fields"]}
    assert fields["url"]["required"] is True
    assert fields["timeout"]["required"] is False and fields["timeout"]["default"] == 20.0
    assert fields["metadata_prefix"]["default"] == "oai_dc"
    assert fields["level"]["choices"] == ["national", "provincial", "municipal", "school"]


def test_a_source_without_its_required_configuration_says_what_is_missing():
    with pytest.raises(SourceError, match="missing configuration: url"):
        make_source("csv", {})


def test_the_package_imports_without_flask_or_the_app():
    code = (
        "import sys, courses.sources, courses.dedupe, courses.search_text, courses.catalogs; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('flask', 'app', 'sqlalchemy')))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)

    assert result.stdout.strip() == "[]"
