"""`flask demo seed`: the demo school, its sample catalog, a timetable around today and two
weeks of lessons held (app/orgs/demo.py, demo_timetable.py, demo_activity.py). One unit of
work: everything is committed at the end, or nothing."""

from __future__ import annotations

from datetime import timedelta

import click
from flask.cli import AppGroup

from app.core.models import utcnow
from app.extensions import db
from app.orgs.demo import (
    DEFAULT_SEED,
    DEMO_PASSWORD,
    DEMO_USERNAMES,
    DEMO_WEEKS_AHEAD,
    DEMO_WEEKS_BACK,
    TIMEZONE,
    DemoSchoolExists,
    school_exists,
    seed_demo_school,
)

demo_cli = AppGroup("demo", help="The demo school.")


@demo_cli.command("seed")
@click.option("--seed", "seed", default=DEFAULT_SEED, show_default=True, help="Random seed: same seed, same school.")
@click.option("--if-empty", is_flag=True, help="Do nothing when a school already exists (for `make run`).")
def seed_command(seed: int, if_empty: bool) -> None:
    """Build the demo school 课续实验中学 with about a thousand accounts."""
    if if_empty and school_exists():
        click.echo("A school already exists; the demo school was not added.")
        return
    # Imported here: the factory registers this command before every domain is loaded.
    from app.catalog.sample import load_sample_catalog
    from app.orgs.demo_activity import bring_to_life
    from app.orgs.demo_timetable import build_timetable, local_today

    now = utcnow()
    try:
        summary = seed_demo_school(seed=seed, today=local_today(now, TIMEZONE))
    except DemoSchoolExists as error:
        raise click.ClickException(str(error)) from error
    load_sample_catalog(summary.school)  # the bundled SAMPLE lessons, so search has something to find
    timetable = build_timetable(summary.school, now)
    activity = bring_to_life(summary.school, timetable, now, seed)
    db.session.commit()
    click.echo(
        f"Seeded {summary.school.name} (seed {seed}): {summary.grades} grades, {summary.classes} classes, "
        f"{summary.students} students, {summary.teachers} teachers ({summary.class_teachers} class teachers), "
        f"{summary.courses} courses in {summary.term.name}."
    )
    click.echo(
        f"Timetable {timetable.today - timedelta(weeks=DEMO_WEEKS_BACK)} to "
        f"{timetable.today + timedelta(weeks=DEMO_WEEKS_AHEAD)}: {timetable.sessions} lessons "
        f"({timetable.warnings} policy warnings), {timetable.plan_items} lesson plan items; "
        f"{activity.held} lessons held ({activity.in_room} in the live room: {_counts(activity.room_events)}), "
        f"attendance {_counts(activity.attendance)}; "
        f"{activity.watched} resources watched."
    )
    click.echo(f"Demo accounts, password {DEMO_PASSWORD}: {', '.join(DEMO_USERNAMES)}.")


def _counts(counts: dict) -> str:
    return ", ".join(f"{count} {name}" for name, count in sorted(counts.items(), key=lambda item: -item[1]))
