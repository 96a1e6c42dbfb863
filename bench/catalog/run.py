"""Catalog benchmark: ingest 100,000 records from feed files, score de-duplication, time search.

Prints a results table (no assertions). Targets from the catalog issue, on a 2-core machine:
ingest 100k in 60 s or less; de-duplication precision 0.99 and recall 0.95 or better; search
p95 50 ms or less over 200 mixed Chinese/English queries. Also printed: the CPU seconds the ingest
took in this process and, on PostgreSQL, in its server backend, and the load average.

Run: .venv/bin/python bench/catalog/run.py [--db sqlite|postgresql|both] [--records 100000]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from itertools import combinations
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import psutil  # noqa: E402
from sqlalchemy import select, text  # noqa: E402

from bench.catalog.generate import EN_TOPICS, ZH_TOPICS, generate, write_feeds  # noqa: E402

POSTGRES_URL = "postgresql+psycopg://root@127.0.0.1:5432/test"


def _queries(rng: random.Random, count: int = 200) -> list[tuple[str, dict]]:
    """Mixed queries: two-character words, phrases, English words, mixed text, filters, junk."""
    queries = []
    for index in range(count):
        kind = index % 8
        if kind in (0, 1):
            text = rng.choice(ZH_TOPICS)
        elif kind == 2:
            text = rng.choice(ZH_TOPICS) + rng.choice(ZH_TOPICS)
        elif kind == 3:
            text = rng.choice(EN_TOPICS)
        elif kind == 4:
            text = f"{rng.choice(ZH_TOPICS)} {rng.choice(EN_TOPICS)}"
        elif kind == 5:
            text = f"{rng.choice(EN_TOPICS)} {rng.choice(EN_TOPICS)} lesson"
        elif kind == 6:
            text = rng.choice(("", "！！！", "数学 " * 40, "zzzzqqq", "第37讲"))
        else:
            text = rng.choice(ZH_TOPICS)
        filters = {}
        if index % 4 == 0:
            filters = rng.choice(({"grade": rng.randint(1, 12)}, {"subject": "数学"}, {"stage": "初中"},
                                  {"edition": "人教版"}, {"length": "short"}, {"media_type": "video"}))  # fmt: skip
        queries.append((text, filters))
    return queries


def _database(kind: str, workdir: Path):
    if kind == "sqlite":
        return f"sqlite:///{workdir / 'bench.db'}", lambda: None
    from tests.conftest import _create_postgres_database

    return _create_postgres_database()


def run(kind: str, total: int) -> dict:
    from app import create_app
    from app.catalog.harvest import harvest_source
    from app.catalog.models import CatalogSource, Resource, ResourceOrigin
    from app.catalog.search import search_resources
    from app.extensions import db
    from app.orgs.models import OrgUnit, UnitKind
    from courses.records import Level

    workdir = Path(tempfile.mkdtemp(prefix="kexu-bench-"))
    feeds, group_of = generate(total)
    first_pages = write_feeds(feeds, workdir / "feeds")
    url, drop = _database(kind, workdir)
    app = create_app(SQLALCHEMY_DATABASE_URI=url, KEXU_ENV="testing", INSTANCE_DIR=str(workdir / "instance"))
    result = {"db": kind, "records": sum(len(items) for items in feeds.values()), "load": [os.getloadavg()[0]]}
    try:
        with app.app_context():
            db.create_all()
            school = OrgUnit(kind=UnitKind.SCHOOL, name="基准中学", code="BENCH", timezone="Asia/Shanghai")
            db.session.add(school)
            db.session.commit()
            sources = []
            for level, path in first_pages.items():
                source = CatalogSource(school_id=school.id, name=level, type="json", config={"url": str(path)},
                                       level=Level(level), interval_hours=0)  # fmt: skip
                db.session.add(source)
                sources.append(source)
            db.session.commit()
            server = _ServerCPU(db)
            started, cpu_started = time.perf_counter(), time.process_time()
            for source in sources:
                run_row = harvest_source(source, allow_local_files=True)
                db.session.commit()
                assert run_row.status.value == "succeeded", run_row.message
            result["ingest_s"] = time.perf_counter() - started
            # This process's CPU only (not PostgreSQL's): on a shared machine, wall time mostly measures the neighbours.
            result["ingest_cpu_s"] = time.process_time() - cpu_started
            result["ingest_server_cpu_s"] = server.used()
            started = time.perf_counter()
            again = [harvest_source(source, allow_local_files=True, full=True) for source in sources]
            db.session.commit()
            result["reharvest_s"] = time.perf_counter() - started
            result["reharvest_changes"] = sum(r.added + r.updated + r.withdrawn for r in again)
            result.update(_score(db, select, ResourceOrigin, CatalogSource, group_of))
            result["resources"] = db.session.scalar(select(db.func.count()).select_from(Resource))
            viewer = type("Viewer", (), {"school_id": school.id})()
            timings = []
            for text, filters in _queries(random.Random(7)):
                started = time.perf_counter()
                search_resources(viewer, text, filters, None, 1, 20)
                timings.append((time.perf_counter() - started) * 1000)
            timings.sort()
            result["search_p50_ms"] = statistics.median(timings)
            result["search_p95_ms"] = timings[int(len(timings) * 0.95) - 1]
            result["load"].append(os.getloadavg()[0])
            db.session.remove()
            db.drop_all()
            db.engine.dispose()
    finally:
        drop()
    return result


class _ServerCPU:
    """CPU seconds of this session's PostgreSQL backend (None on SQLite, which runs in-process, or
    when the pool handed out another connection): with the machine shared, CPU is the steadier figure."""

    def __init__(self, db):
        self.db = db
        self.pid = self._pid()
        self.start = self._cpu(self.pid)

    def _pid(self):
        if self.db.session.get_bind().dialect.name != "postgresql":
            return None
        return self.db.session.scalar(text("SELECT pg_backend_pid()"))

    @staticmethod
    def _cpu(pid):
        if pid is None:
            return None
        times = psutil.Process(pid).cpu_times()
        return times.user + times.system

    def used(self):
        pid = self._pid()
        if pid is None or pid != self.pid:
            return None
        return self._cpu(pid) - self.start


def _score(db, select, ResourceOrigin, CatalogSource, group_of) -> dict:  # noqa: N803 - model classes passed in
    """Pairwise precision and recall of the merged resources against the known groups."""
    rows = db.session.execute(
        select(ResourceOrigin.resource_id, CatalogSource.name, ResourceOrigin.external_id).join(
            CatalogSource, CatalogSource.id == ResourceOrigin.source_id
        )
    ).all()
    by_resource: dict[int, list[int]] = {}
    by_group: dict[int, int] = {}
    for resource_id, level, external_id in rows:
        group = group_of[(level, external_id)]
        by_resource.setdefault(resource_id, []).append(group)
        by_group[group] = by_group.get(group, 0) + 1
    predicted = correct = 0
    for groups in by_resource.values():
        for first, second in combinations(groups, 2):
            predicted += 1
            correct += first == second
    actual = sum(size * (size - 1) // 2 for size in by_group.values())
    return {"precision": correct / predicted if predicted else 1.0, "recall": correct / actual if actual else 1.0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--records", type=int, default=100_000)
    args = parser.parse_args()
    kinds = ("sqlite", "postgresql") if args.db == "both" else (args.db,)
    header = "| database | records | resources | ingest s (CPU s: Kexu + PostgreSQL) | re-harvest s (changes) |"
    header += " precision | recall |"
    print(header + " search p50 ms | p95 ms | load average |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for kind in kinds:
        r = run(kind, args.records)
        server = r["ingest_server_cpu_s"]
        cpu = f"{r['ingest_cpu_s']:.1f}" + ("" if server is None else f" + {server:.1f}")
        print(f"| {r['db']} | {r['records']:,} | {r['resources']:,} | {r['ingest_s']:.1f} ({cpu}) | "
              f"{r['reharvest_s']:.1f} ({r['reharvest_changes']}) | {r['precision']:.4f} | {r['recall']:.4f} | "
              f"{r['search_p50_ms']:.1f} | {r['search_p95_ms']:.1f} | {r['load'][0]:.1f} to {r['load'][1]:.1f} |",
              flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
