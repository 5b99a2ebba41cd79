"""A story wholly inside a round-up many times its length is found, by ``scan`` and by the index.

Word-shingle Jaccard of a 150-word story and a 10,000-word round-up holding it is ~0.015, far under the candidate
threshold; the excerpt windows of the long document (:func:`dedup.lsh.excerpt_windows`) make the pair a candidate,
verification accepts it on containment, and the coverage rule keeps the round-up. ``bench``-style figures on real
articles are in the commit that added the windows.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_index_redis import _redis_server
from typer.testing import CliRunner

from dedup.cli import app
from dedup.cluster import CONTAINED
from dedup.document import Document
from dedup.index.stream import Deduplicator
from dedup.pipeline import Pipeline
from dedup.settings import Settings

SETTINGS = Settings(site_boilerplate=False)
EXCERPT_WORDS = 150


def _story(rng: random.Random, words: int) -> str:
    """A story of distinct-looking words, in sentences (a vocabulary large enough that stories share no 3-gram)."""
    out = [f"w{rng.randrange(50_000)}" for _ in range(words)]
    return " ".join(w + ("." if k % 15 == 14 else "") for k, w in enumerate(out)) + "."


def _roundup(length: int, seed: int = 7) -> tuple[str, list[str]]:
    """A round-up of about ``length`` words, stories of 300 words with three 150-word excerpts inside (at its
    start, middle and end), and the excerpts."""
    rng = random.Random(seed)
    excerpts = [_story(rng, EXCERPT_WORDS) for _ in range(3)]
    others = [_story(rng, 300) for _ in range(max(1, (length - 3 * EXCERPT_WORDS) // 300))]
    middle = len(others) // 2
    parts = [excerpts[0], *others[:middle], excerpts[1], *others[middle:], excerpts[2]]
    return "\n\n".join(parts), excerpts


@pytest.mark.parametrize("length", [1_000, 10_000])
def test_scan_finds_an_excerpt_inside_a_long_roundup(length: int) -> None:
    roundup, excerpts = _roundup(length)
    docs = [Document(id=f"ex{k}", text=t) for k, t in enumerate(excerpts)] + [Document(id="roundup", text=roundup)]
    result = Pipeline(SETTINGS, workers=1).scan_documents(docs)
    assert len(result.clusters) == 1
    cluster = result.clusters[0]
    ids = [result.documents[m].id for m, _ in cluster.members]
    assert ids[0] == "roundup" and sorted(ids[1:]) == ["ex0", "ex1", "ex2"]  # the coverage rule keeps the round-up
    assert all(cluster.relation(m) == CONTAINED for m, _ in cluster.members[1:])


def test_scan_does_not_pair_a_roundup_with_its_unrelated_neighbours() -> None:
    roundup, _ = _roundup(5_000)
    rng = random.Random(99)
    docs = [Document(id="roundup", text=roundup), *(Document(id=f"o{k}", text=_story(rng, 150)) for k in range(5))]
    assert Pipeline(SETTINGS, workers=1).scan_documents(docs).clusters == []


@pytest.fixture(params=["sqlite", "redis"])
def index_location(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield str(tmp_path / "index.sqlite")
    else:
        yield from _redis_server(tmp_path)


@pytest.mark.parametrize("length", [1_000, 10_000])
def test_the_index_finds_an_excerpt_of_an_indexed_roundup(index_location: str, length: int) -> None:
    roundup, excerpts = _roundup(length)
    with Deduplicator(index_location, SETTINGS) as dedup:
        assert dedup.seen(Document(id="roundup", text=roundup)) is None
        for k, text in enumerate(excerpts):
            match = dedup.seen(Document(id=f"ex{k}", text=text))
            assert match is not None and match.id == "roundup" and match.relation == CONTAINED
        # Removing the round-up removes its windows' buckets too; its removed copies no longer name it.
        assert dedup.index.remove(["roundup"]) == 1
        assert dedup.index.query(dedup.entry(Document(id="ex9", text=excerpts[1]))) == []
        assert dedup.index.remove([f"ex{k}" for k in range(len(excerpts))]) == len(excerpts)
        if index_location.endswith(".sqlite"):
            assert dedup.index.db.execute("SELECT COUNT(*) FROM bands").fetchone() == (0,)


@pytest.mark.parametrize("length", [1_000, 10_000])
def test_index_query_lists_the_roundup_of_an_excerpt(tmp_path: Path, length: int) -> None:
    roundup, excerpts = _roundup(length)
    (tmp_path / "roundup.jsonl").write_text(json.dumps({"id": "roundup", "text": roundup}) + "\n")
    lines = "".join(json.dumps({"id": f"ex{k}", "text": t}) + "\n" for k, t in enumerate(excerpts))
    (tmp_path / "excerpts.jsonl").write_text(lines)
    index = str(tmp_path / "index.sqlite")
    runner = CliRunner()
    added = runner.invoke(app, ["index", "add", str(tmp_path / "roundup.jsonl"), "--index", index, "-q"])
    assert added.exit_code == 0, added.output
    found = runner.invoke(app, ["index", "query", str(tmp_path / "excerpts.jsonl"), "--index", index, "--json"])
    answers = [json.loads(line) for line in found.stdout.splitlines() if line.startswith("{")]
    assert [[m["id"] for m in a["matches"]] for a in answers] == [["roundup"]] * 3
