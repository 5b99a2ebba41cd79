"""Which copy survives: the keep-priority order of documents, and groups of exact copies.

Kept apart from :mod:`dedup.cluster` (which re-exports both) because they read only the documents' facts.

>>> from types import SimpleNamespace as Doc
>>> infos = [Doc(words=3, digest="a"), Doc(words=9, digest="b"), Doc(words=3, digest="a")]
>>> keep_order(infos, "longest"), exact_groups(infos, [0, 1, 2])
([1, 0, 2], {0: [2], 1: []})
"""

from __future__ import annotations

from collections.abc import Sequence

from dedup.document import DocInfo


def exact_groups(infos: Sequence[DocInfo], order: Sequence[int]) -> dict[int, list[int]]:
    """Exact copies (equal normalised-text digests): the best-ranked of each group maps to the other members."""
    representative: dict[str, int] = {}
    groups: dict[int, list[int]] = {}
    for i in order:
        if infos[i].words == 0:
            continue
        rep = representative.setdefault(infos[i].digest, i)
        groups.setdefault(rep, [])
        if rep != i:
            groups[rep].append(i)
    return groups


def keep_order(infos: Sequence[DocInfo], keep: str, prefer: Sequence[str] = ()) -> list[int]:
    """Document indexes, best candidate to survive first.

    ``first``: input order. ``longest``: most words. ``earliest``: oldest ``date`` (undated last).
    ``source``: documents from the ``prefer`` sources, in that order, before the rest.
    Ties always fall back to input order, so results are deterministic.
    """
    n = len(infos)
    if keep == "longest":
        return sorted(range(n), key=lambda i: (-infos[i].words, i))
    if keep == "earliest":
        return sorted(range(n), key=lambda i: (infos[i].date is None, infos[i].date or "", i))
    if keep == "source":
        pos = {src.lower(): k for k, src in enumerate(prefer)}
        return sorted(range(n), key=lambda i: (pos.get((infos[i].source or "").lower(), len(pos)), i))
    return list(range(n))
