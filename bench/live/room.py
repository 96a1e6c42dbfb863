"""A throwaway school for the live-room benchmark: one class of N students, a teacher, a course,
a lesson that is on now, and an API token for everyone (programs sign in to /live with one).

The database is a fresh PostgreSQL database on 127.0.0.1 when one answers (as in production),
else a SQLite file; it is dropped afterwards.
"""

from __future__ import annotations

import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import psycopg
from sqlalchemy import create_engine, insert, text

POSTGRES_ADMIN = "postgresql+psycopg://root@127.0.0.1:5432/test"


@dataclass
class Room:
    database_url: str
    session_id: int
    teacher_token: str
    student_tokens: list[str]


def _postgres_reachable() -> bool:
    try:
        psycopg.connect("postgresql://root@127.0.0.1:5432/test", connect_timeout=3).close()
        return True
    except psycopg.OperationalError:
        return False


@contextmanager
def database(workdir: Path, kind: str = "auto"):
    """Yield a database URL that lives as long as the block."""
    if kind == "postgresql" or (kind == "auto" and _postgres_reachable()):
        name = f"kexu_bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(POSTGRES_ADMIN, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield f"postgresql+psycopg://root@127.0.0.1:5432/{name}"
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    else:
        yield f"sqlite:///{workdir / 'bench-live.db'}"


def build_room(database_url: str, students: int, instance_dir: Path) -> Room:
    """Create the schema and the people; bulk inserts, since 2,000 ORM users with hashed
    passwords would take longer than the benchmark itself."""
    from app import create_app
    from app.auth.models import ApiToken, Role, User, UserRole
    from app.auth.operations import _digest
    from app.core.models import utcnow
    from app.extensions import db
    from app.orgs.models import Course, OrgUnit, UnitKind, class_membership, course_teacher
    from app.schedule.models import LiveSession, live_session_class

    app = create_app(SQLALCHEMY_DATABASE_URI=database_url, INSTANCE_DIR=str(instance_dir), BABEL_DEFAULT_LOCALE="en")
    with app.app_context():
        db.create_all()
        school = OrgUnit(kind=UnitKind.SCHOOL, name="Bench School", code="BENCH", timezone="Asia/Shanghai")
        db.session.add(school)
        db.session.flush()
        grade = OrgUnit(kind=UnitKind.GRADE, name="Grade 10", code="BG", parent_id=school.id, school_id=school.id)
        db.session.add(grade)
        db.session.flush()
        klass = OrgUnit(kind=UnitKind.CLASS, name="Bench class", code="BC", parent_id=grade.id, school_id=school.id)
        db.session.add(klass)
        teacher = User(username="bench-teacher", name="Teacher", school_id=school.id)
        teacher.role_grants.append(UserRole(role=Role.TEACHER))
        db.session.add(teacher)
        db.session.flush()
        rows = [
            {"username": f"bench-s{i}", "name": f"Student {i}", "school_id": school.id, "timezone": "Asia/Shanghai"}
            for i in range(students)
        ]
        db.session.execute(insert(User), rows)
        student_ids = list(db.session.scalars(text("SELECT id FROM \"user\" WHERE username LIKE 'bench-s%'")))
        db.session.execute(insert(UserRole), [{"user_id": uid, "role": Role.STUDENT} for uid in student_ids])
        db.session.execute(insert(class_membership), [{"user_id": uid, "class_id": klass.id} for uid in student_ids])
        course = Course(school_id=school.id, name="Bench maths", subject="数学", code="BM")
        db.session.add(course)
        db.session.flush()
        db.session.execute(insert(course_teacher), [{"user_id": teacher.id, "course_id": course.id}])
        now = utcnow()
        lesson = LiveSession(
            school_id=school.id,
            course_id=course.id,
            title="Bench lesson",
            starts_at=now - timedelta(minutes=5),
            ends_at=now + timedelta(hours=2),
            original_starts_at=now - timedelta(minutes=5),
        )
        db.session.add(lesson)
        db.session.flush()
        db.session.execute(insert(live_session_class), [{"session_id": lesson.id, "class_id": klass.id}])
        tokens = {}
        token_rows = []
        for uid in [teacher.id, *student_ids]:
            secret = f"kx_bench_{uid}_{uuid.uuid4().hex}"
            tokens[uid] = secret
            token_rows.append(
                {
                    "user_id": uid,
                    "name": "bench",
                    "token_digest": _digest(secret),
                    "prefix": secret[:10],
                    "created_at": now,
                    "expires_at": now + timedelta(days=1),
                }
            )
        db.session.execute(insert(ApiToken), token_rows)
        db.session.commit()
        room = Room(database_url, lesson.id, tokens[teacher.id], [tokens[uid] for uid in student_ids])
        db.engine.dispose()
    return room
