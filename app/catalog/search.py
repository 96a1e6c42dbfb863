"""Catalog search: the one query every page and the API use.

It matches against the full-text index of app.catalog.search_index (SQLite FTS5, PostgreSQL
weighted tsvector), whose names are also importable from here. docs/catalog-search.md explains
the choice and its trade-offs.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import Float, Integer, case, exists, func, literal_column, select, text, union
from sqlalchemy.dialects.postgresql import JSONB

from app.catalog.models import Resource

# What queries need from the index, and names migrations import from here (re-exported).
from app.catalog.search_index import (  # noqa: F401
    FTS_TABLE,
    NEWEST_INDEX,
    PG_INDEX,
    PG_TITLE_VECTOR,
    PG_VECTOR_COLUMN,
    drop_search_index,
    ensure_newest_index,
    ensure_search_index,
    index_resource,
    is_search_index_object,
    search_terms,
)
from app.core.pagination import MAX_PER_PAGE, Page
from app.extensions import db
from courses import normalize, search_text, vocab

SORTS = ("relevance", "newest", "shortest")
MAX_QUERY_TERMS = 24  # a pasted paragraph still searches, on its first words
MAX_QUERY_CHARS = 200
# Counting 30,000 matches costs more than finding the first 20: counts stop here ("more than 1,000").
COUNT_CAP = 1000
RANK_CANDIDATES = 300  # PostgreSQL: how many title matches and matches are ranked (docs/catalog-search.md)
# Lesson length buckets (minutes): short fits one primary period, long is a university pair.
LENGTHS = {"short": (None, 20), "medium": (21, 45), "long": (46, None)}


@dataclass
class SearchPage(Page):
    """A page of resources plus what the searcher should be told about their query."""

    query: str = ""
    sort: str = "relevance"
    terms: list[str] = field(default_factory=list)
    notice: str | None = None  # None | "empty" | "no_terms" | "truncated" | "partial" | "no_results"
    more: bool = False  # there are more than ``total`` matches (the count stopped at COUNT_CAP)

    @property
    def pages(self) -> int:
        return super().pages + (1 if self.more else 0)

    def meta(self) -> dict:
        return {**super().meta(), "more": self.more}

    @property
    def message(self) -> str | None:
        messages = {
            "empty": _("Type words to search; meanwhile, here is everything in the catalog."),
            "no_terms": _("Your search has no letters, digits or Chinese characters, so everything is shown."),
            "truncated": _("Your search was long, so only its first words were used."),
            "partial": _("Nothing matched every word, so these resources match some of them."),
            "no_results": _("Nothing matched. Try fewer or shorter words, or remove a filter."),
        }
        return messages.get(self.notice)


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def _list_contains(column, value, dialect: str):
    """A JSON list column holds ``value`` (grades, stages)."""
    if dialect == "postgresql":
        return column.cast(JSONB).contains([value])
    each = func.json_each(column).table_valued("value").alias("each_value")
    return exists(select(literal_column("1")).select_from(each).where(each.c.value == value))


def _edition_spellings(value: str) -> list[str]:
    canonical = normalize.normalize_edition(value)
    spellings = {value.strip(), canonical or ""}
    spellings.update(vocab.EDITIONS.get(canonical or "", ()))
    return sorted(spelling for spelling in spellings if spelling)


def _as_int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def apply_filters(query, filters: dict | None, dialect: str):
    """Narrow ``query`` by the filters understood; unknown or unreadable values are ignored."""
    filters = {key: value for key, value in (filters or {}).items() if value not in (None, "", [])}
    if level := normalize.normalize_level(filters.get("level")):
        query = query.where(Resource.level == level)
    if subject := normalize.normalize_subject(filters.get("subject")):
        query = query.where(Resource.subject == subject)
    if stage := normalize.normalize_stage(filters.get("stage")):
        query = query.where(_list_contains(Resource.stages, stage, dialect))
    if grade := normalize.normalize_grade(filters.get("grade")):
        query = query.where(_list_contains(Resource.grades, grade, dialect))
    if filters.get("edition"):
        query = query.where(Resource.edition.in_(_edition_spellings(str(filters["edition"]))))
    if media_type := normalize.normalize_media_type(filters.get("media_type")):
        query = query.where(Resource.media_type == media_type)
    low, high = LENGTHS.get(str(filters.get("length")), (None, None))
    low = _as_int(filters.get("min_minutes")) if filters.get("min_minutes") is not None else low
    high = _as_int(filters.get("max_minutes")) if filters.get("max_minutes") is not None else high
    if low is not None:
        query = query.where(Resource.duration_minutes >= low)
    if high is not None:
        query = query.where(Resource.duration_minutes <= high)
    if (source_id := _as_int(filters.get("source_id"))) is not None:
        from app.catalog.models import ResourceOrigin

        query = query.where(Resource.origins.any(ResourceOrigin.source_id == source_id))
    return query


def _match(query, terms: list[str], any_term: bool, dialect: str, candidates: int = 0):
    """``query`` narrowed to ``terms`` (all, or any): (matching query, the same query ready to rank,
    (title-hit, score: lower is better) to rank by). The first is cheaper: counts and the newest
    and shortest sorts use it."""
    if dialect == "postgresql":
        joiner = " | " if any_term else " & "
        tsquery = func.to_tsquery("simple", joiner.join(f"'{term}'" for term in terms))
        # ":A" restricts a term to title lexemes: the title-first test reads the stored vector only.
        title_query = func.to_tsquery("simple", joiner.join(f"'{term}':A" for term in terms))
        vector = literal_column(f"resource.{PG_VECTOR_COLUMN}")
        title_vector = literal_column(PG_TITLE_VECTOR.replace("search_title", "resource.search_title"))
        ranking = (vector.op("@@")(title_query), -func.ts_rank(vector, tsquery))
        matching = query.where(vector.op("@@")(tsquery))
        # Ranking reads every candidate's row: a common word matches 10,000+ resources, so only the
        # first `candidates` title matches and the first `candidates` matches are ranked.
        ids = query.with_only_columns(Resource.id).order_by(None)
        candidates = union(
            ids.where(title_vector.op("@@")(tsquery)).limit(candidates),
            ids.where(vector.op("@@")(tsquery)).limit(candidates),
        )
        return matching, query.where(Resource.id.in_(candidates.scalar_subquery())), ranking
    # Terms are letters, digits and ideographs only (search_text), quoted so none reads as syntax.
    expression = (" OR " if any_term else " AND ").join(f'"{term}"' for term in terms)
    # Bounded like PostgreSQL's: the best `candidates` by bm25 (title weight 10, so title matches
    # lead); search_resources falls back to every match when filters leave too few of them.
    bound = f" ORDER BY score LIMIT {int(candidates)}" if candidates else ""
    matches = (
        text(
            f"SELECT rowid AS id, bm25({FTS_TABLE}, 10.0, 1.0) AS score FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :m"
            + bound
        )
        .bindparams(m=expression)
        .columns(id=Integer, score=Float)
        # Materialized: otherwise SQLite runs the MATCH once per candidate row (500 ms instead of 1 ms).
        .cte("fts_matches")
        .prefix_with("MATERIALIZED")
    )
    title_ids = _fts_ids(f"search_title : ({expression})")
    # bm25 scores every match: only the relevance order pays for it, counts use the bare ids.
    matching = query.where(Resource.id.in_(_fts_ids(expression)))
    return matching, query.join(matches, matches.c.id == Resource.id), (Resource.id.in_(title_ids), matches.c.score)


def _fts_ids(expression: str):
    return (
        text(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :m")
        .bindparams(m=expression)
        .columns(rowid=Integer)
    )


def _ordered(query, sort: str, ranking):
    newest = (Resource.source_updated_at.desc().nulls_last(), Resource.id.desc())
    if sort == "shortest":
        return query.order_by(Resource.duration_minutes.asc().nulls_last(), *newest)
    if sort == "newest" or ranking is None:
        return query.order_by(*newest)
    title_hit, score = ranking
    return query.order_by(case((title_hit, 0), else_=1), score, *newest)


def search_resources(viewer, query_text: str | None, filters: dict | None = None, sort: str | None = None,
                     page: int = 1, per_page: int = 20) -> SearchPage:  # fmt: skip
    """Resources of the viewer's school matching every word of ``query_text``, never withdrawn ones.

    Title matches come first (sort "relevance", the default when there is a query); "newest"
    and "shortest" sort the same matches differently. An empty query lists everything; a
    query with no searchable characters says so; when no resource has every word, those with
    any word are shown with a notice. Never raises for what a user can type.
    """
    page, per_page = max(1, _as_int(page) or 1), min(max(1, _as_int(per_page) or 20), MAX_PER_PAGE)
    raw = (query_text or "").strip()
    terms = search_text.query_terms(raw[:MAX_QUERY_CHARS])
    notice = None
    if not raw:
        notice = "empty"
    elif not terms:
        notice = "no_terms"
    elif len(terms) > MAX_QUERY_TERMS or len(raw) > MAX_QUERY_CHARS:
        terms, notice = terms[:MAX_QUERY_TERMS], "truncated"
    sort = sort if sort in SORTS else ("relevance" if terms else "newest")
    result = SearchPage(items=[], page=page, per_page=per_page, total=0, query=raw, sort=sort, terms=terms)
    school_id = getattr(viewer, "school_id", None)
    if school_id is None:
        result.notice = "no_results"
        return result
    dialect = _dialect()
    base = select(Resource).where(Resource.school_id == school_id, Resource.withdrawn.is_(False))
    base = apply_filters(base, filters, dialect)
    attempts = [False, True] if len(terms) > 1 else [False]
    for any_term in attempts if terms else [None]:
        query, ranked, ranking = base, base, None
        if any_term is not None:
            # SQLite picks its candidates before the filters apply, so filtered queries rank every match.
            unfiltered = not any(value not in (None, "", []) for value in (filters or {}).values())
            candidates = max(RANK_CANDIDATES, page * per_page) if dialect == "postgresql" or unfiltered else 0
            query, ranked, ranking = _match(base, terms, any_term, dialect, candidates)
            if sort != "relevance":
                ranked, ranking = query, None
        total, more = _capped_count(query, max(COUNT_CAP, page * per_page))
        if total:
            if any_term:
                notice = "partial"
            offset = (page - 1) * per_page
            result.items = list(db.session.scalars(_ordered(ranked, sort, ranking).limit(per_page).offset(offset)))
            if ranking is not None and len(result.items) < min(per_page, total - offset):
                # Filters left fewer bounded candidates than the page needs: rank every match.
                _, ranked, ranking = _match(base, terms, any_term, dialect)
                page_query = _ordered(ranked, sort, ranking).limit(per_page).offset(offset)
                result.items = list(db.session.scalars(page_query))
            result.total, result.more = total, more
            break
    else:
        notice = "no_results" if notice in (None, "truncated") else notice
    result.notice = notice
    return result


def _capped_count(query, cap: int) -> tuple[int, bool]:
    """(matches counted up to ``cap``, whether there are more)."""
    counted = db.session.scalar(select(func.count()).select_from(query.order_by(None).limit(cap + 1).subquery()))
    return min(counted or 0, cap), (counted or 0) > cap
