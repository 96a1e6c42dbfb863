"""Study-time policy presets built from the public 2020 notices (see docs/study-time-policy.md).

A preset fills only the numbers its source gives; those rules block. Every other limit is a
stated default (below) that only warns, so a preset never refuses a lesson on a number its
source did not set. Names and descriptions are English msgids: the UI passes them to gettext.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from app.schedule.policy_types import CONFIGURABLE_RULES, N_, Mode, Rule, Stage, StagePolicy

K12_STAGES = (Stage.PRIMARY_1_2, Stage.PRIMARY_3_6, Stage.JUNIOR, Stage.SENIOR)
PRIMARY = (Stage.PRIMARY_1_2, Stage.PRIMARY_3_6)
SECONDARY = (Stage.JUNIOR, Stage.SENIOR)
SCHOOL_DAYS = frozenset(range(5))  # Monday to Friday

# Defaults for numbers a source leaves out, chosen on the protective side:
# - lesson length and daily total: the NHC myopia guidance (the national health baseline);
# - breaks: 20 minutes and lessons per day: 5, the only figures any notice gives (Sichuan, Shanghai);
# - hours 08:00-18:00 and Monday to Friday for schools; no notice sets them.
K12_DEFAULTS = {
    Stage.PRIMARY_1_2: {"max_lesson_minutes": 20, "max_daily_minutes": 150},
    Stage.PRIMARY_3_6: {"max_lesson_minutes": 20, "max_daily_minutes": 150},
    Stage.JUNIOR: {"max_lesson_minutes": 30, "max_daily_minutes": 240},
    Stage.SENIOR: {"max_lesson_minutes": 30, "max_daily_minutes": 240},
}
COMMON_DEFAULTS = {
    "min_break_minutes": 20,
    "max_lessons_per_day": 5,
    "allowed_hours": (time(8, 0), time(18, 0)),
    "allowed_weekdays": SCHOOL_DAYS,
}
_FIELD_RULES = {
    "max_lesson_minutes": Rule.LESSON_LENGTH,
    "max_daily_minutes": Rule.DAILY_TOTAL,
    "min_break_minutes": Rule.BREAK,
    "max_lessons_per_day": Rule.LESSONS_PER_DAY,
    "allowed_hours": Rule.ALLOWED_HOURS,
    "allowed_weekdays": Rule.ALLOWED_DAYS,
}


@dataclass(frozen=True)
class Preset:
    key: str
    name: str
    source: str
    description: str
    stages: dict[str, StagePolicy]
    secondary_source: bool = False  # a reprint rather than the issuing body


def _stage(defaults: dict, given: dict, live_optional: bool = False) -> StagePolicy:
    """A stage policy: numbers from `given` block, the rest come from `defaults` and warn."""
    values = {**COMMON_DEFAULTS, **defaults, **given}
    modes = {rule: Mode.WARN for rule in CONFIGURABLE_RULES}
    for name in given:
        modes[_FIELD_RULES[name]] = Mode.BLOCK
    start, end = values["allowed_hours"]
    return StagePolicy(
        max_lesson_minutes=values["max_lesson_minutes"],
        max_daily_minutes=values["max_daily_minutes"],
        min_break_minutes=values["min_break_minutes"],
        max_lessons_per_day=values["max_lessons_per_day"],
        allowed_start=start,
        allowed_end=end,
        allowed_weekdays=frozenset(values["allowed_weekdays"]),
        live_optional=live_optional,
        modes=modes,
    )


def _university() -> StagePolicy:
    """45-minute periods, usually in pairs: a pair with its 10-minute break is the longest lesson.
    The rest are defaults that warn: 4 pairs a day (400 min), 10-minute breaks between pairs,
    08:00-22:00 and Monday to Saturday, since evening and Saturday classes are common."""
    return _stage(
        {
            "max_daily_minutes": 400,
            "min_break_minutes": 10,
            "max_lessons_per_day": 4,
            "allowed_hours": (time(8, 0), time(22, 0)),
            "allowed_weekdays": frozenset(range(6)),
        },
        {"max_lesson_minutes": 100},
    )


def _k12(given: dict[Stage, dict]) -> dict[str, StagePolicy]:
    """The four school stages; grades 1-2 live lessons are optional everywhere, as the national
    notices of Feb-Mar 2020 set no uniform requirement for them."""
    return {
        str(stage): _stage(K12_DEFAULTS[stage], given.get(stage, {}), live_optional=stage == Stage.PRIMARY_1_2)
        for stage in K12_STAGES
    }


def _each(stages, **given) -> dict[Stage, dict]:
    return {stage: dict(given) for stage in stages}


NHC = {**_each(PRIMARY, max_lesson_minutes=20, max_daily_minutes=150)}
NHC.update(_each(SECONDARY, max_lesson_minutes=30, max_daily_minutes=240))

PRESETS: dict[str, Preset] = {
    preset.key: preset
    for preset in (
        Preset(
            key="nhc_2020",
            name=N_("National Health Commission myopia guidance (April 2020)"),
            source="国家卫健委《儿童青少年新冠肺炎疫情期间近视预防指引(更新版)》",
            description=N_(
                "Longest lesson 20 min in primary and 30 min in secondary school; daily online total 2.5 h "
                "in primary and 4 h in secondary school. Not in the source, so they only warn: 20-minute "
                "breaks, 5 lessons a day, 08:00-18:00, Monday to Friday. Grades 1-2: live lessons optional."
            ),
            stages=_k12(NHC),
        ),
        Preset(
            key="moe_2020_08_27",
            name=N_("Ministry of Education press conference (27 August 2020)"),
            source="教育部新闻发布会 2020-08-27",
            description=N_(
                "Daily online total 2 h in primary, 3 h in junior and 4 h in senior school. Not in the "
                "source, so they only warn: longest lesson from the NHC guidance (20/30 min), 20-minute "
                "breaks, 5 lessons a day, 08:00-18:00, Monday to Friday. Grades 1-2: live lessons optional."
            ),
            stages=_k12(
                {
                    **_each(PRIMARY, max_daily_minutes=120),
                    Stage.JUNIOR: {"max_daily_minutes": 180},
                    Stage.SENIOR: {"max_daily_minutes": 240},
                }
            ),
        ),
        Preset(
            key="anhui_2020_02_22",
            name=N_("Anhui province plan (22 February 2020)"),
            source="安徽省方案 (安徽日报) 2020-02-22",
            description=N_(
                "Longest lesson 20 min in primary and 30 min in secondary school; daily online total "
                "60 min (grades 1-2), 80 min (grades 3-6), 150 min (junior), 180 min (senior). Not in the "
                "source, so they only warn: 20-minute breaks, 5 lessons a day, 08:00-18:00, Monday to "
                "Friday. Grades 1-2: live lessons optional."
            ),
            stages=_k12(
                {
                    Stage.PRIMARY_1_2: {"max_lesson_minutes": 20, "max_daily_minutes": 60},
                    Stage.PRIMARY_3_6: {"max_lesson_minutes": 20, "max_daily_minutes": 80},
                    Stage.JUNIOR: {"max_lesson_minutes": 30, "max_daily_minutes": 150},
                    Stage.SENIOR: {"max_lesson_minutes": 30, "max_daily_minutes": 180},
                }
            ),
        ),
        Preset(
            key="jiangsu_2020_02_21",
            name=N_("Jiangsu province (21 February 2020, as reprinted)"),
            source="中新网 (reprint) 2020-02-21",
            secondary_source=True,
            description=N_(
                "From a press reprint, not the notice itself. Longest lesson 20 min in primary and 30 min "
                "in secondary school; daily online total 80 min in primary, 3 h in junior and 4 h in "
                "senior school; no uniform online requirement for grades 1-2 (live lessons optional). Not "
                "in the source, so they only warn: 20-minute breaks, 5 lessons a day, 08:00-18:00, Monday "
                "to Friday."
            ),
            stages=_k12(
                {
                    **_each(PRIMARY, max_lesson_minutes=20, max_daily_minutes=80),
                    Stage.JUNIOR: {"max_lesson_minutes": 30, "max_daily_minutes": 180},
                    Stage.SENIOR: {"max_lesson_minutes": 30, "max_daily_minutes": 240},
                }
            ),
        ),
        Preset(
            key="sichuan_2020_03_11",
            name=N_("Sichuan education department (11 March 2020)"),
            source="四川省教育厅 2020-03-11",
            description=N_(
                "Teacher talk at most 20 min per period, read here as a 20-minute longest live lesson; at "
                "most 5 periods a day; at least 20 min between periods (all stages). Not in the source, so "
                "they only warn: daily online total from the NHC guidance (2.5 h primary, 4 h secondary), "
                "08:00-18:00, Monday to Friday. Grades 1-2: live lessons optional."
            ),
            stages=_k12(_each(K12_STAGES, max_lesson_minutes=20, max_lessons_per_day=5, min_break_minutes=20)),
        ),
        Preset(
            key="shanghai_2020_02_18",
            name=N_("Shanghai education commission (18 February 2020)"),
            source="上海市教委发布会 2020-02-18",
            description=N_(
                "Longest lesson 20 min in primary and 30 min in secondary school; daily online total about "
                "2 h in primary school; at least 20 min between lessons. Not in the source, so they only "
                "warn: secondary daily total from the NHC guidance (4 h), 5 lessons a day, 08:00-18:00, "
                "Monday to Friday. Grades 1-2: live lessons optional."
            ),
            stages=_k12(
                {
                    **_each(PRIMARY, max_lesson_minutes=20, max_daily_minutes=120, min_break_minutes=20),
                    **_each(SECONDARY, max_lesson_minutes=30, min_break_minutes=20),
                }
            ),
        ),
        Preset(
            key="university",
            name=N_("University: 45-minute periods in pairs"),
            source="教育部: 在线教学与课堂教学实质等效 (2020)",
            description=N_(
                "University lessons are 45-minute periods, usually in pairs: the longest lesson is 100 min "
                "(a pair with its 10-minute break). Defaults that only warn: daily online total 400 min "
                "(4 pairs), 4 lessons a day, 10-minute breaks, 08:00-22:00, Monday to Saturday."
            ),
            stages={str(Stage.UNIVERSITY): _university()},
        ),
    )
}

# School presets cover the four school stages, the university preset the university stage:
# a policy combines one of each (a stage missing from a policy is not checked).
DEFAULT_PRESETS = ("nhc_2020", "university")


def get_preset(key: str) -> Preset:
    """The preset with this key; KeyError names the known keys."""
    try:
        return PRESETS[key]
    except KeyError:
        raise KeyError(f"unknown preset {key!r}; known: {', '.join(PRESETS)}") from None


def combine(*keys: str) -> dict[str, StagePolicy]:
    """One policy from several presets, later ones overriding earlier ones stage by stage."""
    policy: dict[str, StagePolicy] = {}
    for key in keys:
        policy.update(get_preset(key).stages)
    return policy


def default_policy() -> dict[str, StagePolicy]:
    return combine(*DEFAULT_PRESETS)
