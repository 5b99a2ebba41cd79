"""One decision everywhere: a stream of documents through the index drops what ``scan`` removes from them.

``scan --keep first --no-site-boilerplate`` (a stream cannot learn site boilerplate) and a
:class:`~dedup.index.stream.Deduplicator` on a new index get the same documents. Fed in the scan's keep order
(the documents it keeps first, then the copies it removes, strays last; see ``bench/same_decision.py``), the
stream drops exactly the documents the scan removes, *strays* included (a scan attaches them through a removed
member: the index keeps removed copies for this). In any order, the stream drops what the scan's own verified pairs say it should
(``greedy_drops``), and beyond it only strays: every pair is decided as the scan decides it, coverage rule included.

The SaudiNewsNet dev month is read from ``../shared`` (research-only licence: never copied into the repository);
its test skips where it is absent. ``python bench/same_decision.py`` measures the whole month.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from conftest import snn_records

from dedup.document import Document
from dedup.io import Reader
from dedup.pipeline import Pipeline

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
from same_decision import (  # noqa: E402
    SETTINGS,
    explained,
    greedy_drops,
    keep_order,
    scan_drops,
    stream_drops,
)


def test_the_fixtures_are_dropped_by_a_stream_as_scan_removes_them() -> None:
    inputs = [str(ROOT / "fixtures")]
    docs = list(Reader().read(inputs))
    result = Pipeline(SETTINGS, workers=1).scan(inputs)  # `dedup scan fixtures/ --keep first --no-site-boilerplate`
    assert [d.id for d in docs] == [d.id for d in result.documents]
    removed = scan_drops(result)
    assert len(removed) == 21 and explained(result, SETTINGS.coverage) == (set(), set())
    assert set(stream_drops(docs, keep_order(result, SETTINGS.coverage), SETTINGS)) == set(removed)
    # In input order a short copy comes first and is kept; scan keeps the longer text that covers more.
    in_order = stream_drops(docs, range(len(docs)), SETTINGS)
    assert set(in_order) == greedy_drops(result, range(len(docs)), SETTINGS.coverage)
    assert len(set(removed) ^ set(in_order)) == 3


@pytest.fixture(scope="module")
def dev_month() -> list[Document]:
    docs = []
    for r in snn_records():
        docs.append(Document(id=r["id"], text=r["text"], title=r["title"], url=r["url"], date=r["date"]))
        if len(docs) == 2000:  # the first day and a half; bench/same_decision.py runs the whole month
            break
    return docs


def test_the_dev_month_is_dropped_by_a_stream_as_scan_removes_it(dev_month: list[Document]) -> None:
    result = Pipeline(SETTINGS, workers=1).scan_documents(dev_month)
    removed = set(scan_drops(result))
    strays, _ = explained(result, SETTINGS.coverage)
    order = keep_order(result, SETTINGS.coverage)
    dropped = set(stream_drops(dev_month, order, SETTINGS))
    greedy = greedy_drops(result, order, SETTINGS.coverage)
    assert greedy <= dropped and dropped - greedy <= strays  # every pair decided as the scan decided it
    assert strays and dropped == removed  # strays too: attached through a removed copy, as scan does
    assert len(removed) > 250
