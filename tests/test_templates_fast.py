"""The template test's shortcuts answer as the plain test does: relation() against explain(), and the pairs
tested in document order (dedup.pipeline.verify) answered in the order they were asked."""

from __future__ import annotations

import gzip
import itertools
import json
import random
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup.cluster import DUPLICATE, TEMPLATE
from dedup.normalize import normalize
from dedup.parallel import WorkerPool
from dedup.pipeline import verify
from dedup.pipeline.stores import TextStore
from dedup.settings import Settings
from dedup.templates import DIFFERENT, explain, relation

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "data" / "templates-news"
SNN = ROOT.parent / "shared" / "data" / "saudinewsnet-dev" / "docs.jsonl.gz"

CABLE = (
    "بعث خادم الحرمين الشريفين الملك سلمان بن عبدالعزيز آل سعود برقية تهنئة لفخامة الرئيس {name} رئيس {country} "
    "بمناسبة ذكرى اليوم الوطني لبلاده وأعرب عن أصدق التهاني وأطيب التمنيات بالصحة والسعادة لفخامته ولحكومة "
    "وشعب {country} الشقيق اطراد التقدم والازدهار"
)


def words(text: str) -> list[str]:
    return normalize(text).split()


def _fixture_texts() -> dict[str, list[str]]:
    docs = [json.loads(line) for f in sorted(FIXTURE.glob("*.jsonl")) for line in f.open(encoding="utf-8")]
    return {d["id"]: words(d["title"] + " " + d["text"]) for d in docs}


def _dev_month_texts(count: int) -> dict[str, list[str]]:
    """The first ``count`` articles of the SaudiNewsNet dev month (normalised, not cleaned: the pairs below are
    neighbours in the file, mostly one outlet's items of one day)."""
    if not SNN.exists():
        pytest.skip(f"SaudiNewsNet dev data not available at {SNN} (kept outside the repository)")
    out = {}
    with gzip.open(SNN, "rt", encoding="utf-8") as stream:
        for line in itertools.islice(stream, count):
            d = json.loads(line)
            out[d["id"]] = words(d.get("title", "") + " " + d["text"])
    return out


def test_relation_is_the_kind_explain_gives_on_formula_news() -> None:
    # relation() returns at the first deciding slot and reads names only when two slots could change: the kind
    # must be explain()'s on every pair of the fixture's formula items (cables, markets, planes, weather).
    texts = _fixture_texts()
    one_name = words(CABLE.format(name="عبدالفتاح السيسي", country="جمهورية مصر العربية"))
    two_names = words(CABLE.format(name="الباجي قائد السبسي", country="الجمهورية التونسية"))
    texts |= {"cable-egypt": one_name, "cable-tunisia": two_names, "cable-copy": one_name[:-3]}
    kinds = set()
    for a, b in itertools.combinations(sorted(texts), 2):
        kind = relation(texts[a], texts[b])
        assert kind == explain(texts[a], texts[b]).kind, (a, b)
        kinds.add(kind)
    assert kinds == {DUPLICATE, TEMPLATE, DIFFERENT}
    assert relation(one_name, two_names) == TEMPLATE  # two name slots: president and country


def test_relation_is_the_kind_explain_gives_on_real_news() -> None:
    texts = _dev_month_texts(400)
    ids = list(texts)
    pairs = [(ids[i], ids[j]) for i in range(len(ids)) for j in range(i + 1, min(len(ids), i + 4))]
    kinds = {}
    for a, b in pairs:
        kind = kinds[a, b] = relation(texts[a], texts[b])
        assert kind == explain(texts[a], texts[b]).kind, (a, b)
    assert set(kinds.values()) >= {DUPLICATE, TEMPLATE}


def test_pairs_tested_in_document_order_are_answered_in_the_order_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = _fixture_texts()
    ids = sorted(texts)
    store = TextStore()
    store.extend([" ".join(texts[d]) for d in ids])
    store.flush()
    pairs = np.array(list(itertools.combinations(range(len(ids)), 2)), dtype=np.int64)
    random.Random(7).shuffle(pairs)
    expected = [relation(texts[ids[a]], texts[ids[b]]) for a, b in pairs.tolist()]
    monkeypatch.setattr(verify, "VERIFY_CHUNK", 64)  # chunks of 16 pairs: many chunks, in a new order
    assert verify.decide_relations(pairs, store, Settings()) == expected
    with WorkerPool(1, store) as pool:
        assert verify.relations_later(pairs, store, pool)() == expected
    assert TEMPLATE in expected and DUPLICATE in expected


_GRAPH = st.lists(st.tuples(st.integers(0, 30), st.integers(0, 30)).filter(lambda p: p[0] != p[1]), max_size=80)


@settings(max_examples=200, deadline=None)
@given(_GRAPH)
def test_document_order_keeps_every_pair_and_each_connected_part_together(edges: list[tuple[int, int]]) -> None:
    pairs = np.array(edges, dtype=np.int64).reshape(-1, 2)
    order = verify.document_order(pairs).tolist()
    assert sorted(order) == list(range(len(edges)))
    # Union-find by brute force: a part's pairs form one run of the order.
    part = {d: d for e in edges for d in e}
    changed = True
    while changed:
        changed = False
        for a, b in edges:
            low = min(part[a], part[b])
            if part[a] != low or part[b] != low:
                part[a] = part[b] = low
                changed = True
    runs = [part[edges[k][0]] for k in order]
    assert len({p for p, _ in itertools.groupby(runs)}) == len(list(itertools.groupby(runs)))


def test_a_star_centre_meets_its_partners_in_a_row() -> None:
    # Document 9 is linked to 1, 2, 3 and 4; the pairs of the part come centre first, then as given.
    pairs = np.array([[1, 9], [20, 21], [9, 2], [3, 9], [2, 5], [9, 4]], dtype=np.int64)
    assert pairs[verify.document_order(pairs)].tolist() == [[1, 9], [9, 2], [3, 9], [9, 4], [2, 5], [20, 21]]
