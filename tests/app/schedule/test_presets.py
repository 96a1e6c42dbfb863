"""The presets carry the numbers of their sources, and only those block."""

from datetime import time

import pytest

from app.schedule.policy import Mode, Rule, StagePolicy, check
from app.schedule.presets import PRESETS, combine, default_policy, get_preset
from tests.app.schedule.helpers import MONDAY, lesson, students


def test_every_preset_names_its_source_and_covers_its_stages():
    for preset in PRESETS.values():
        assert preset.name and preset.source and preset.description
        expected = {"university"} if preset.key == "university" else {"primary_1_2", "primary_3_6", "junior", "senior"}
        assert set(preset.stages) == expected


@pytest.mark.parametrize(
    ("key", "stage", "lesson_minutes", "daily_minutes"),
    [
        ("nhc_2020", "primary_3_6", 20, 150),
        ("nhc_2020", "senior", 30, 240),
        ("moe_2020_08_27", "primary_1_2", 20, 120),
        ("moe_2020_08_27", "junior", 30, 180),
        ("anhui_2020_02_22", "primary_1_2", 20, 60),
        ("anhui_2020_02_22", "primary_3_6", 20, 80),
        ("anhui_2020_02_22", "junior", 30, 150),
        ("anhui_2020_02_22", "senior", 30, 180),
        ("jiangsu_2020_02_21", "primary_3_6", 20, 80),
        ("jiangsu_2020_02_21", "senior", 30, 240),
        ("shanghai_2020_02_18", "primary_3_6", 20, 120),
        ("university", "university", 100, 400),
    ],
)
def test_preset_numbers_match_their_source(key, stage, lesson_minutes, daily_minutes):
    policy = get_preset(key).stages[stage]
    assert (policy.max_lesson_minutes, policy.max_daily_minutes) == (lesson_minutes, daily_minutes)


def test_numbers_a_source_gives_block_and_stated_defaults_only_warn():
    moe = get_preset("moe_2020_08_27").stages["junior"]
    assert moe.mode(Rule.DAILY_TOTAL) == Mode.BLOCK
    assert moe.mode(Rule.LESSON_LENGTH) == Mode.WARN  # the NHC figure, a default for MOE
    sichuan = get_preset("sichuan_2020_03_11").stages["senior"]
    assert (sichuan.max_lessons_per_day, sichuan.min_break_minutes) == (5, 20)
    assert sichuan.mode(Rule.BREAK) == sichuan.mode(Rule.LESSONS_PER_DAY) == Mode.BLOCK
    assert sichuan.mode(Rule.DAILY_TOTAL) == Mode.WARN
    assert get_preset("shanghai_2020_02_18").stages["junior"].mode(Rule.BREAK) == Mode.BLOCK
    assert get_preset("jiangsu_2020_02_21").secondary_source


def test_grades_one_and_two_have_optional_live_lessons_in_every_school_preset():
    for preset in PRESETS.values():
        for stage, policy in preset.stages.items():
            assert policy.live_optional == (stage == "primary_1_2")


def test_a_twenty_five_minute_lesson_is_refused_for_anhui_primary_but_fine_for_its_juniors():
    policy = get_preset("anhui_2020_02_22").stages
    pupils = students(3, stage="primary_3_6", classes=(1,)) + students(3, first_id=10, stage="junior", classes=(2,))
    primary = check([lesson(1, MONDAY, "09:00", 25, classes=(1,))], [], pupils, policy)
    junior = check([lesson(2, MONDAY, "09:00", 25, classes=(2,))], [], pupils, policy)
    assert [str(v.rule) for v in primary.blocking] == ["max_lesson_minutes"]
    assert not junior.violations


def test_a_saturday_lesson_only_warns_under_a_preset():
    result = check([lesson(1, "2026-03-07", "09:00", 20)], [], students(2), default_policy())
    assert not result.blocked
    assert [str(v.rule) for v in result.warnings] == ["allowed_weekdays"]


def test_combining_presets_takes_stages_from_each_and_the_default_covers_every_stage():
    policy = combine("anhui_2020_02_22", "university")
    assert policy["primary_1_2"].max_daily_minutes == 60
    assert policy["university"].max_lesson_minutes == 100
    assert set(default_policy()) == {"primary_1_2", "primary_3_6", "junior", "senior", "university"}
    assert default_policy()["university"].allowed_end == time(22)


def test_an_unknown_preset_names_the_known_ones():
    with pytest.raises(KeyError, match="nhc_2020"):
        get_preset("nowhere")


def test_a_stage_policy_survives_a_round_trip_through_json_data():
    policy = get_preset("shanghai_2020_02_18").stages["primary_1_2"]
    assert StagePolicy.from_dict(policy.as_dict()) == policy
