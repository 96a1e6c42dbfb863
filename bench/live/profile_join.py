"""Where a join's time goes: SQL statements per event and a pyinstrument profile, in process.

Builds the benchmark's throwaway school (bench/live/room.py), then lets students join one after
the other through Flask-SocketIO's test client (the real /live namespace, no network), counting
the SQL statements of each join and the teacher's chat with a SQLAlchemy event.

    python bench/live/profile_join.py --students 200 [--database postgresql] [--profile]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sqlalchemy import event  # noqa: E402

from bench.live.room import build_room, database  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--students", type=int, default=200)
    parser.add_argument("--database", choices=["auto", "sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--profile", action="store_true", help="print a pyinstrument profile of the joins")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="kexu-profile-") as tmp, database(Path(tmp), args.database) as url:
        room = build_room(url, args.students, Path(tmp))
        from app import create_app
        from app.extensions import db, socketio

        app = create_app(
            {"SQLALCHEMY_DATABASE_URI": url, "INSTANCE_DIR": tmp, "BABEL_DEFAULT_LOCALE": "en", "TESTING": True}
        )
        with app.app_context():
            statements: list[str] = []
            event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))

            def connect(token):
                return socketio.test_client(app, namespace="/live", auth={"token": token})

            teacher = connect(room.teacher_token)
            teacher.emit("join", {"session_id": room.session_id}, namespace="/live", callback=True)
            profiler = None
            if args.profile:
                from pyinstrument import Profiler

                profiler = Profiler()
                profiler.start()
            counts, seconds, clients = [], [], []
            for token in room.student_tokens:
                client = connect(token)
                statements.clear()
                started = time.perf_counter()
                answer = client.emit("join", {"session_id": room.session_id}, namespace="/live", callback=True)
                seconds.append(time.perf_counter() - started)
                assert answer.get("ok"), answer
                counts.append(len(statements))
                clients.append(client)
            joins = list(statements) if counts else []
            if profiler:
                profiler.stop()
            statements.clear()
            teacher.emit("chat", {"session_id": room.session_id, "text": "hello"}, namespace="/live", callback=True)
            chat = list(statements)
            print(f"students: {args.students} on {url.split(':')[0]}")
            print(f"statements per join: first {counts[0]}, median {statistics.median(counts)}, last {counts[-1]}")
            print(f"join ms: median {1000 * statistics.median(seconds):.1f}, last {1000 * seconds[-1]:.1f}")
            print(f"statements per chat message: {len(chat)}")
            print("last join's statements (count, start of the statement):")
            for text, count in Counter(" ".join(t.split())[:110] for t in joins).most_common():
                print(f"  {count:4d}  {text}")
            if profiler:
                print(profiler.output_text(unicode=True, color=False, show_all=False))
            for client in clients:
                client.disconnect(namespace="/live")
    return 0


if __name__ == "__main__":
    sys.exit(main())
