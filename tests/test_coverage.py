"""The coverage rule on real news: nothing is removed that the kept copy does not already say.

Round-ups, follow-ups and briefs are built from real articles of the SaudiNewsNet dev month, read from
``../shared`` (research-only licence: never copied into the repository); the tests skip where it is absent.
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import snn_records

from dedup.document import Document
from dedup.fingerprint import content_words, coverage
from dedup.normalize import normalize
from dedup.pipeline import Pipeline
from dedup.settings import Settings

NO_SITE = Settings(site_boilerplate=False)


@pytest.fixture(scope="module")
def articles() -> list[dict[str, str]]:
    out = []
    for record in snn_records():
        paragraphs = [p for p in record["text"].split("\n") if len(p.split()) >= 15]
        if 120 <= len(record["text"].split()) <= 400 and len(paragraphs) >= 3:
            out.append(record)
    # Spread over the month: neighbours in the file are often copies of one story.
    return out[:: max(1, len(out) // 400)][:400]


def _distinct(articles: list[dict[str, str]], n: int) -> list[dict[str, str]]:
    """``n`` articles no two of which a scan puts together."""
    docs = [Document(id=a["id"], text=a["text"], title=a["title"]) for a in articles]
    result = Pipeline(NO_SITE, workers=1).scan_documents(docs)
    taken = {m for c in result.clusters for m, _ in c.members}
    return [a for i, a in enumerate(articles) if i not in taken][:n]


def _scan(docs: list[Document], keep: str = "first"):
    result = Pipeline(Settings(site_boilerplate=False, keep=keep), workers=1).scan_documents(docs)
    removed = {
        result.documents[m].id: (result.documents[k].id, c.relation(m))
        for c in result.clusters
        for m, _ in c.members[1:]
        for k in [c.keep]
    }
    return result, removed


def test_a_roundup_is_never_removed_for_the_story_it_contains(articles: list[dict[str, str]]) -> None:
    stories = _distinct(articles, 40)
    assert len(stories) == 40
    docs = []
    for k in range(20):
        a, b = stories[k], stories[20 + k]
        docs.append(Document(id=f"A{k}", title=a["title"], text=a["text"]))
        # The round-up: A's text, then an unrelated second story.
        docs.append(Document(id=f"C{k}", title="حصاد اليوم", text=a["text"] + "\n" + b["title"] + "\n" + b["text"]))
    for keep in ("first", "longest"):
        _, removed = _scan(docs, keep)
        assert not [d for d in removed if d.startswith("C")], keep
        # Each story is redundant: it goes, contained in its own round-up.
        found = {d: kept for d, (kept, relation) in removed.items() if relation == "contained"}
        assert sum(found.get(f"A{k}") == f"C{k}" for k in range(20)) >= 18, keep


def test_a_follow_up_that_repeats_the_background_paragraph_is_kept(articles: list[dict[str, str]]) -> None:
    stories = _distinct(articles, 20)
    docs = []
    for k in range(10):
        earlier, news = stories[k], stories[10 + k]
        background = earlier["text"].split("\n")[-1]
        docs.append(Document(id=f"E{k}", title=earlier["title"], text=earlier["text"]))
        docs.append(Document(id=f"F{k}", title=news["title"], text=news["text"] + "\n" + background))
    _, removed = _scan(docs)
    assert not [d for d in removed if d.startswith("F")]


def test_a_feature_is_not_removed_for_the_brief_announcing_it(articles: list[dict[str, str]]) -> None:
    stories = _distinct(articles, 10)
    docs = []
    for k, story in enumerate(stories):
        brief = story["text"].split("\n")[0]
        docs.append(Document(id=f"brief{k}", title=story["title"], text=brief))
        docs.append(Document(id=f"feature{k}", title=story["title"], text=story["text"]))
    _, removed = _scan(docs)
    assert not [d for d in removed if d.startswith("feature")]


def test_copies_that_cover_each_other_still_follow_keep_first(articles: list[dict[str, str]]) -> None:
    story = _distinct(articles, 1)[0]
    paragraphs = story["text"].split("\n")
    trimmed = "\n".join([*paragraphs[:-1], paragraphs[-1][: len(paragraphs[-1]) // 2]])
    docs = [
        Document(id="trimmed", title=story["title"], text=trimmed),
        Document(id="full", title=story["title"], text=story["text"]),
    ]
    _, removed = _scan(docs)
    assert removed == {"full": ("trimmed", "copy")}


def test_coverage_of_a_text_by_itself_and_by_nothing() -> None:
    words = content_words(normalize("وصلت إلى مطار عدن الدولي اليوم طائرة إغاثية سعودية تحمل 35 طناً من المساعدات"))
    assert coverage(words, words) == 1.0
    assert coverage(words, np.empty(0, dtype=np.uint32)) == 0.0
    assert coverage(np.empty(0, dtype=np.uint32), words) == 1.0
