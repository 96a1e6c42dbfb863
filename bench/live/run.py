"""Live-room fan-out benchmark: N students in one lesson's room, the teacher chats every 100 ms.

Kexu's real server process and its /live namespace (authorization, the database write of each
message, sanitizing, the broadcast) serve N python-socketio AsyncClients spread over several
worker processes on this machine; everything stays on 127.0.0.1. Reported per run: the time
for all N to connect and join, fan-out latency (teacher's send -> each student's receipt) p50/p99,
messages delivered, server CPU (% of one core while the teacher chats) and peak RSS.

    python bench/live/run.py                 # the full matrix (about 20 minutes)
    python bench/live/run.py --quick         # 200 students, gevent, 10 s
    python bench/live/run.py --runs gevent:1:1000 threading:1:200 --seconds 20

A run is `mode:processes:students`; several processes share a Redis message queue on
127.0.0.1:6379. Results are printed as a Markdown table (bench/README.md keeps one).
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.live.clients import student_worker, teach  # noqa: E402
from bench.live.room import build_room, database  # noqa: E402
from bench.live.servers import Server, Watch  # noqa: E402
from tests.live_server import free_port  # noqa: E402

FULL_MATRIX = [
    "gevent:1:200",
    "gevent:1:1000",
    "gevent:1:2000",
    "gevent:2:2000",
    "threading:1:200",
    "threading:1:1000",
]
STUDENTS_PER_WORKER = 250
JOIN_TIMEOUT = 150  # seconds for the whole class to arrive; the teacher starts with whoever is in
MAX_WORKERS = 8


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def one_run(mode: str, processes: int, students: int, seconds: float, db_kind: str, pool: int | None = None) -> dict:
    with tempfile.TemporaryDirectory(prefix="kexu-bench-live-") as tmp, database(Path(tmp), db_kind) as url:
        workdir = Path(tmp)
        room = build_room(url, students, workdir)
        settings = {
            "SQLALCHEMY_DATABASE_URI": url,
            "INSTANCE_DIR": str(workdir),
            "BABEL_DEFAULT_LOCALE": "en",
            # The teacher chats ten times a second here, far above a person's rate limit.
            "LIVE_CHAT_RATE_COUNT": 100_000,
        }
        if pool:  # else the server sizes its own (app/live/server.py: 20 + 10)
            settings["SQLALCHEMY_ENGINE_OPTIONS"] = {"pool_pre_ping": True, "pool_size": pool, "max_overflow": pool}
        if processes > 1:
            settings["REDIS_URL"] = "redis://127.0.0.1:6379/0"
            settings["LIVE_REDIS_CHANNEL"] = f"kexu-bench-{uuid.uuid4().hex[:8]}"
        servers = [Server(mode, free_port(), settings, workdir) for _ in range(processes)]
        try:
            for server in servers:
                server.wait_ready()
            result = _measure(room, servers, students, seconds)
        finally:
            for server in servers:
                server.stop()
        result["server_errors"] = _errors(servers)
        if os.environ.get("KEXU_BENCH_LOGS"):  # keep the servers' logs (the run's directory goes)
            for server in servers:
                shutil.copy(server.log_path, Path(os.environ["KEXU_BENCH_LOGS"]) / server.log_path.name)
        return result


def _errors(servers: list[Server]) -> list[str]:
    """The first distinct error lines the servers logged (why a join or a message failed)."""
    seen: list[str] = []
    for server in servers:
        for line in server.log_path.read_text(errors="replace").splitlines():
            if ("Error" in line or "ERROR" in line) and line[-200:] not in seen:
                seen.append(line[-200:])
    return seen[:5]


def _measure(room, servers: list[Server], students: int, seconds: float) -> dict:
    urls = [s.url for s in servers]
    watch = Watch(servers)
    workers = min(MAX_WORKERS, max(1, -(-students // STUDENTS_PER_WORKER)))
    context = multiprocessing.get_context("spawn")
    go_home, results = context.Event(), context.Queue()
    shares = [room.student_tokens[i::workers] for i in range(workers)]
    procs = [
        context.Process(target=student_worker, args=(urls, share, room.session_id, go_home, results), daemon=True)
        for share in shares
    ]
    marks: dict = {}
    reports = []

    def class_arrives():
        """Called once the teacher is in: the students come, the chat starts when they are in."""
        marks["started"] = time.time()
        for proc in procs:
            proc.start()
        # The workers report only after the lesson: count the joins as open presence intervals.
        marks["joined"] = _wait_for_joins(servers, room, students, timeout=JOIN_TIMEOUT)
        marks["connect"] = time.time() - marks["started"]
        marks["cpu"], marks["chat_start"] = watch.cpu(), time.monotonic()

    try:
        sent, refusals = asyncio.run(teach(urls[0], room.teacher_token, room.session_id, seconds, class_arrives))
        cpu_seconds = watch.cpu() - marks["cpu"]
        chat_wall = time.monotonic() - marks["chat_start"]
        joined, connect_seconds, started = marks["joined"], marks["connect"], marks["started"]
        go_home.set()
        for _ in procs:
            reports.append(results.get(timeout=180))
    finally:
        go_home.set()
        for proc in procs:
            if proc.pid is None:
                continue
            proc.join(10)
            if proc.is_alive():
                proc.kill()
        watch.stop()
    latencies = [
        (at - sent[sequence]) * 1000 for report in reports for sequence, at, _ in report["receipts"] if sequence in sent
    ]
    # Where the time goes: the teacher's send to the stored message, and stored to received.
    inbound = {
        sequence: (stored - sent[sequence]) * 1000
        for r in reports
        for sequence, _, stored in r["receipts"]
        if sequence in sent
    }
    outbound = [(at - stored) * 1000 for r in reports for sequence, at, stored in r["receipts"] if sequence in sent]
    joined_count = sum(len(r["joined"]) for r in reports)
    join_times = [end - start for r in reports for start, end in r["joined"]]
    if join_times:  # from the first student's connect to the last one's join, as the workers saw it
        connect_seconds = max(e for r in reports for _, e in r["joined"]) - min(
            s for r in reports for s, _ in r["joined"]
        )
    expected = joined_count * len(sent)
    return {
        "students": students,
        "joined": joined_count,
        "joined_seen_by_server": joined,
        "failed": sum(r["failed"] for r in reports),
        "failures": [f for r in reports for f in r["failures"]][:3],
        "connect_all_s": connect_seconds,
        "join_p50_ms": statistics.median(join_times) * 1000 if join_times else float("nan"),
        "sent": len(sent),
        "refused": len(refusals),
        "delivered": len(latencies) / expected if expected else 0.0,
        "p50_ms": percentile(latencies, 0.50),
        "p99_ms": percentile(latencies, 0.99),
        "max_ms": max(latencies) if latencies else float("nan"),
        "to_store_p50_ms": percentile(list(inbound.values()), 0.50),
        "to_store_p99_ms": percentile(list(inbound.values()), 0.99),
        "store_to_receipt_p50_ms": percentile(outbound, 0.50),
        "store_to_receipt_p99_ms": percentile(outbound, 0.99),
        "cpu_pct": 100 * cpu_seconds / chat_wall,
        "client_cpu_pct": 100 * sum(r.get("cpu_seconds", 0) for r in reports) / (time.time() - started),
        "peak_rss_mb": watch.peak_rss / 2**20,
        "load_average": os.getloadavg()[0],
    }


def _wait_for_joins(servers, room, students: int, timeout: float) -> int:
    """Poll the database until `students` presence intervals are open (or time runs out)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(room.database_url)
    deadline = time.monotonic() + timeout
    count, last_change, last_count = 0, time.monotonic(), -1
    try:
        while time.monotonic() < deadline:
            with engine.connect() as conn:
                count = conn.execute(
                    text("SELECT count(*) FROM live_presence_interval WHERE session_id = :s AND ended_at IS NULL"),
                    {"s": room.session_id},
                ).scalar()
            if count >= students:
                return count
            if count != last_count:
                last_count, last_change = count, time.monotonic()
            elif time.monotonic() - last_change > 30:
                break  # nobody new for 30 s: the rest will not come
            time.sleep(0.25)
    finally:
        engine.dispose()
    return count


def table(rows: list[tuple[str, dict]]) -> str:
    head = (
        "| run | joined | all joined in | join p50 | delivered | fan-out p50 | fan-out p99 | max "
        "| server CPU | peak RSS | load avg |\n|---|---|---|---|---|---|---|---|---|---|---|"
    )
    lines = [head]
    for name, r in rows:
        lines.append(
            f"| {name} | {r['joined']}/{r['students']} | {r['connect_all_s']:.1f} s | {r['join_p50_ms']:.0f} ms "
            f"| {100 * r['delivered']:.1f}% | {r['p50_ms']:.0f} ms | {r['p99_ms']:.0f} ms | {r['max_ms']:.0f} ms "
            f"| {r['cpu_pct']:.0f}% | {r['peak_rss_mb']:.0f} MB | {r['load_average']:.1f} |"
        )
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", nargs="*", default=None, help="mode:processes:students, e.g. gevent:1:1000")
    parser.add_argument("--seconds", type=float, default=20.0, help="how long the teacher chats")
    parser.add_argument("--database", choices=["auto", "sqlite", "postgresql"], default="auto")
    parser.add_argument("--pool", type=int, default=None, help="database pool size (and overflow) per server")
    parser.add_argument("--quick", action="store_true", help="one small run (200 students, gevent, 10 s)")
    parser.add_argument(
        "--priority",
        type=int,
        default=None,
        help="nice value for the benchmark, its server and its clients (inherited), e.g. -10 on a shared machine",
    )
    args = parser.parse_args(argv)
    if args.priority is not None:
        os.setpriority(os.PRIO_PROCESS, 0, args.priority)
    runs = ["gevent:1:200"] if args.quick else (args.runs or FULL_MATRIX)
    seconds = 10.0 if args.quick else args.seconds
    rows = []
    for spec in runs:
        mode, processes, students = spec.split(":")
        name = f"{mode}, {processes} proc{'s + Redis' if int(processes) > 1 else ''}, N={students}"
        name += f", pool {args.pool}" if args.pool else ""
        name += f", nice {args.priority}" if args.priority is not None else ""
        print(f"== {name} ...", flush=True)
        try:
            result = one_run(mode, int(processes), int(students), seconds, args.database, args.pool)
        except Exception as error:  # noqa: BLE001 - one failed run must not lose the others
            print(f"   failed: {type(error).__name__}: {error}", flush=True)
            continue
        print(f"   {result}", flush=True)
        rows.append((name, result))
    print(table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
