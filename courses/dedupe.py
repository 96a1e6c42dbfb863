"""Finding the same lesson offered by several sources.

Two keys, each explainable on its own:

* ``url_key``: the canonical URL without its scheme (http and https copies of a page are one);
* ``content_key``: normalised title + subject + grades + textbook edition + chapter, so the
  national platform's lesson and a province's re-upload of it meet even with different URLs.

:func:`cluster` joins records sharing either key (union-find) and keeps, for every join, which
key matched, so a catalog admin can see why two items were merged and undo a bad rule.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from courses import normalize
from courses.records import ResourceRecord

URL = "url"
CONTENT = "content"


def url_key(record: ResourceRecord, mobile_hosts: Mapping[str, str] | None = None) -> str | None:
    """``host/path?query`` of the canonical URL; None when the record has no usable URL."""
    try:
        canonical = normalize.canonical_url(record.url, mobile_hosts=mobile_hosts)
    except ValueError:
        return None
    return canonical.split("://", 1)[1]


def content_key(record: ResourceRecord) -> str | None:
    """Title, subject, grades, edition and chapter, each normalised, joined with "|".

    None unless the title is there and at least a subject or a grade pins it down: a bare
    "第1课" or "Introduction" says too little to merge on.
    """
    title = normalize.normalize_title(record.title or "")
    if not title or not (record.subject or record.grades):
        return None
    parts = (
        title,
        record.subject or "",
        ",".join(str(grade) for grade in sorted(record.grades)),
        normalize.normalize_edition(record.edition) or "",
        normalize.normalize_title(record.chapter or ""),
    )
    return "|".join(parts)


@dataclass(frozen=True)
class Merge:
    """Why two records are in one cluster: ``key`` ("url" or "content") had this ``value``."""

    first: int
    second: int
    key: str
    value: str

    def explain(self) -> str:
        return f"#{self.first} and #{self.second} share the {self.key} key {self.value!r}"


@dataclass
class Cluster:
    """Indexes into the clustered sequence, and the merges that joined them."""

    members: list[int]
    merges: list[Merge] = field(default_factory=list)

    def reasons(self) -> list[str]:
        return [merge.explain() for merge in self.merges]


class _UnionFind:
    def __init__(self, size: int):
        self.parent = list(range(size))

    def find(self, item: int) -> int:
        while self.parent[item] != item:
            self.parent[item] = self.parent[self.parent[item]]  # path halving
            item = self.parent[item]
        return item

    def union(self, first: int, second: int) -> bool:
        root_first, root_second = self.find(first), self.find(second)
        if root_first == root_second:
            return False
        self.parent[max(root_first, root_second)] = min(root_first, root_second)
        return True


def cluster(
    records: Sequence[ResourceRecord],
    *,
    mobile_hosts: Mapping[str, str] | None = None,
    use_content_key: bool = True,
    include_singletons: bool = False,
) -> list[Cluster]:
    """Group ``records`` into duplicate clusters (deleted records are left out).

    Each member joins the first record seen with the same key, so a cluster of n records holds
    n - 1 merges, each naming the key that joined it (the URL key is tried first: it is the
    stronger evidence). Clusters come in order of their first member.
    """
    union_find = _UnionFind(len(records))
    first_with: dict[tuple[str, str], int] = {}
    merges: list[Merge] = []
    for index, record in enumerate(records):
        if record.deleted:
            continue
        keys = [(URL, url_key(record, mobile_hosts))]
        if use_content_key:
            keys.append((CONTENT, content_key(record)))
        for kind, value in keys:
            if value is None:
                continue
            earlier = first_with.setdefault((kind, value), index)
            if earlier != index and union_find.union(earlier, index):
                merges.append(Merge(earlier, index, kind, value))

    groups: dict[int, Cluster] = {}
    for index, record in enumerate(records):
        if not record.deleted:
            groups.setdefault(union_find.find(index), Cluster(members=[])).members.append(index)
    for merge in merges:
        groups[union_find.find(merge.first)].merges.append(merge)
    found = sorted(groups.values(), key=lambda group: group.members[0])
    return found if include_singletons else [group for group in found if len(group.members) > 1]


def duplicate_pairs(clusters: Sequence[Cluster]) -> set[tuple[int, int]]:
    """Every (i, j), i < j, placed in one cluster: handy to score clustering against a labelled set."""
    pairs = set()
    for group in clusters:
        members = sorted(group.members)
        pairs.update((a, b) for position, a in enumerate(members) for b in members[position + 1 :])
    return pairs
