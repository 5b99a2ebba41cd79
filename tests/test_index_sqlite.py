"""The SQLite index's batch paths: a batch fingerprinted in one call, and a new index bulk-loaded, give what the
one-at-a-time paths give."""

from __future__ import annotations

from itertools import islice
from pathlib import Path

import numpy as np
import pytest
from conftest import AR_COPY_TEXT, AR_TEXT, EN_COPY_TEXT, EN_TEXT, corpus_records, snn_records

from dedup.fingerprint import Fingerprinter
from dedup.index import SEEN, IndexSettings, SqliteIndex, checkpoint, make_entry
from dedup.index.entry import Entry, make_entries
from dedup.index.stream import Deduplicator
from dedup.io import InputError
from dedup.normalize import normalize
from dedup.settings import Settings

FP = Fingerprinter()


def _fields(e: Entry) -> tuple[object, ...]:
    assert e.words is not None and e.windows is not None
    return (
        e.id, e.digest, e.signature.tobytes(), e.shingles.tobytes(), e.text, e.date, e.source, e.title, e.ts,
        e.dated, e.words.tobytes(), e.windows.tobytes(), e.windows.shape,
    )  # fmt: skip


def test_a_batch_is_fingerprinted_as_each_document_alone() -> None:
    records = [*corpus_records(), *islice(snn_records(), 300)]
    roundup = normalize(" ".join([AR_TEXT, EN_TEXT, AR_COPY_TEXT, EN_COPY_TEXT] * 3))
    docs = [(str(r["id"]), normalize(str(r["text"])), r.get("date"), None, str(r.get("title", ""))) for r in records]
    docs.append(("roundup", roundup, "2024-08-21", "example.com", "digest"))
    batch = make_entries(docs, FP, now=1.0)
    alone = [make_entry(i, t, FP, date=d, source=s, title=ti, now=1.0) for i, t, d, s, ti in docs]
    assert [_fields(e) for e in batch] == [_fields(e) for e in alone]
    assert batch[-1].windows is not None and len(batch[-1].windows) >= 3  # a long text's excerpt windows too
    assert sum(e.dated for e in batch) >= 300


def _entries(tmp_path: Path) -> list[Entry]:
    """Entries of the dev month's first 400 documents, as ``dedup filter`` makes them."""
    records = list(islice(snn_records(), 400))
    with Deduplicator(tmp_path / "scratch.sqlite", Settings(site_boilerplate=False)) as d:
        return [e for e in (d.entry(r) for r in records) if e is not None]


def test_a_bulk_loaded_index_answers_as_one_filled_by_add(tmp_path: Path) -> None:
    entries = _entries(tmp_path)
    kept, probes = entries[:300], entries[300:]
    with (
        SqliteIndex(tmp_path / "add.sqlite", IndexSettings()) as added,
        SqliteIndex(tmp_path / "bulk.sqlite", IndexSettings()) as bulk,
    ):
        added.add(kept)
        assert bulk.bulk_load([kept[:120], kept[120:], kept[:5]]) == 300  # an id seen before is left out
        assert bulk.stats()["documents"] == added.stats()["documents"] == 300
        bands = "SELECT key, doc FROM bands ORDER BY key, doc"
        assert bulk.db.execute(bands).fetchall() == added.db.execute(bands).fetchall()
        # Copies of indexed stories (their last sentence cut) and the dev month's next documents.
        cut = [make_entry(f"cut-{e.id}", " ".join(e.text.split()[:-8]), FP) for e in kept[::25]]
        for probe in [*cut, *probes]:
            assert bulk.query(probe) == added.query(probe)
        assert all(bulk.query(c) for c in cut if len(c.text.split()) > 60)
        with pytest.raises(InputError, match=r"bulk\.sqlite: bulk loading needs an empty index"):
            bulk.bulk_load([probes])


def test_bulk_load_failing_leaves_the_index_empty(tmp_path: Path) -> None:
    entries = _entries(tmp_path)[:50]

    def batches():
        yield entries[:30]
        raise RuntimeError("the reader failed")

    with SqliteIndex(tmp_path / "i.sqlite", IndexSettings()) as index:
        with pytest.raises(RuntimeError):
            index.bulk_load(batches())
        assert index.stats()["documents"] == 0
        assert index.db.execute("SELECT COUNT(*) FROM bands").fetchone()[0] == 0
        assert index.bulk_load([entries]) == 50  # and it can be loaded again
        assert index.query(make_entry("again", entries[7].text, FP))[0].id == entries[7].id


def _answers(index: SqliteIndex, entries: list[Entry]) -> list[tuple[str, str, float] | None]:
    found = []
    for lo in range(0, len(entries), 64):
        batch = entries[lo : lo + 64]
        found += index.seen_many(batch, [None] * len(batch))
    return [m and (m.id, m.relation, round(m.similarity, 9)) for m in found]


def _variants(entries: list[Entry], seed: int = 3) -> list[Entry]:
    """Each story, then edited copies of it and of its copies (words replaced, an end cut): copies, and copies of
    copies that resemble a removed copy more than the kept story (what the stray rule is for)."""
    rng = np.random.default_rng(seed)
    out = []
    for e in entries:
        words = e.text.split()
        if len(words) < 80:
            continue
        out.append(e)
        for k in range(4):
            words = list(words)
            for i in rng.choice(len(words), len(words) // 12, replace=False):
                words[i] = f"w{rng.integers(10**6)}"
            cut = words[: len(words) - int(rng.integers(0, len(words) // 8))]
            out.append(make_entry(f"{e.id}-v{k}", " ".join(cut), FP, date=e.date, title=e.title))
    return out


def test_removed_copies_filed_under_fewer_keys_are_found_as_before(tmp_path: Path, monkeypatch) -> None:
    entries = _variants(_entries(tmp_path)[:60])
    with SqliteIndex(tmp_path / "full.sqlite", IndexSettings()) as full:
        # Before format 5: a removed copy filed under all its keys.
        monkeypatch.setattr(full, "_keys_not_of", lambda doc_id, keys: list(keys))
        before = _answers(full, entries)
        full_rows = full.db.execute("SELECT COUNT(*) FROM bands").fetchone()[0]
        # Every document sharing a bucket key with a probe (removed copies included) is its candidate.
        probes = _variants(_entries(tmp_path)[:60], seed=4)
        ids = dict(full.db.execute("SELECT rowid, id FROM docs"))
        candidates = [{ids[r] for r in full._ranked(full.sketch_keys(p.sketches))} for p in probes]
    with SqliteIndex(tmp_path / "lean.sqlite", IndexSettings()) as lean:
        assert _answers(lean, entries) == before
        rows = lean.db.execute("SELECT COUNT(*) FROM bands").fetchone()[0]
        assert sum(m is not None for m in before) >= 100 and rows < full_rows
        ids = dict(lean.db.execute("SELECT rowid, id FROM docs"))
        assert [{ids[r] for r in lean._ranked(lean.sketch_keys(p.sketches))} for p in probes] == candidates
        assert sum(len(c) for c in candidates) > 2 * len(probes)
        # A kept document deleted: its removed copies are filed under all their keys again.
        kept, copy = lean.db.execute(
            "SELECT k.id, r.rowid, r.signature FROM docs k JOIN docs r ON r.copy_of = k.id WHERE r.digest != k.digest"
        ).fetchone()[:2]
        sketches = lean.stored_sketches(
            lean.db.execute("SELECT signature FROM docs WHERE rowid = ?", (copy,)).fetchone()[0]
        )
        filed = lambda: {k for (k,) in lean.db.execute("SELECT key FROM bands WHERE doc = ?", (copy,))}  # noqa: E731
        assert filed() < set(lean.sketch_keys(sketches))
        lean.remove([kept])
        assert filed() == set(lean.sketch_keys(sketches))


def test_a_format_4_index_is_upgraded_and_keeps_its_removed_copies(tmp_path: Path) -> None:
    entries = _entries(tmp_path)[:120]
    path = tmp_path / "old.sqlite"
    with SqliteIndex(path, IndexSettings()) as index:
        index.bulk_load([entries])
        index.db.execute("DROP INDEX docs_copy_of")
        index.db.execute("UPDATE meta SET value = '4' WHERE key = 'format'")
    with SqliteIndex(path, IndexSettings()) as index:
        assert index.stats()["settings"]["format"] == "5"
        names = {r[0] for r in index.db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert "docs_copy_of" in names
        assert index.seen(make_entry("again", entries[3].text, FP)).id == entries[3].id


def test_an_index_recorded_before_the_passage_route_opens_and_decides_with_it(tmp_path: Path) -> None:
    # A format-5 settings record written before `rewrite_passages` and `rewrite_passage_title` existed: they are
    # read at their defaults (the index stores the titles and texts the passage route reads), not called damaged.
    entries = _entries(tmp_path)[:60]
    path = tmp_path / "before.sqlite"
    with SqliteIndex(path, IndexSettings()) as index:
        index.bulk_load([entries])
        index.db.execute("DELETE FROM meta WHERE key IN ('rewrite_passages', 'rewrite_passage_title')")
    with SqliteIndex(path, IndexSettings()) as index:
        assert "rewrite_passages" not in index.stats()["settings"]  # the record is left as it was
        assert index.settings.rewrite_passages == IndexSettings().rewrite_passages
        assert index.seen(make_entry("again", entries[5].text, FP)).id == entries[5].id
    # A damaged record is still one: a field every record has is missing.
    with SqliteIndex(path, IndexSettings()) as index:
        index.db.execute("DELETE FROM meta WHERE key = 'threshold'")
    with pytest.raises(InputError, match="damaged"):
        SqliteIndex(path, IndexSettings())


def test_keys_worked_out_ahead_are_the_index_keys(tmp_path: Path) -> None:
    entries = _entries(tmp_path)[:40]
    with SqliteIndex(tmp_path / "k.sqlite", IndexSettings()) as index:
        for e in entries:
            assert e.prepared is not None and e.prepared.keys == index.sketch_keys(e.sketches)
    with SqliteIndex(tmp_path / "k3.sqlite", IndexSettings(lsh_threshold=0.3)) as other:  # banded otherwise
        assert (other.bands, other.rows) != (entries[0].prepared.bands, entries[0].prepared.rows)
        assert other.entry_keys(entries[0]) == other.sketch_keys(entries[0].sketches) != entries[0].prepared.keys


def test_batches_are_checkpointed_in_the_background(tmp_path: Path) -> None:
    entries = _entries(tmp_path)[:90]
    path = tmp_path / "c.sqlite"
    with SqliteIndex(path, IndexSettings()) as index:
        found = []
        for k in range(0, 90, 30):
            found += index.seen_many(entries[k : k + 30], [None] * 30)
        checkpoints = index._checkpoints
        assert checkpoints is not None
        assert index.db.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 0  # not in this thread's commits
        with SqliteIndex(path) as reader:  # another connection reads every committed batch
            assert reader.stats()["documents"] == sum(m is None for m in found)
    assert checkpoints.runs >= 1
    assert not (tmp_path / "c.sqlite-wal").exists() or (tmp_path / "c.sqlite-wal").stat().st_size == 0
    with SqliteIndex(path, IndexSettings()) as again:  # the file at rest holds every batch: each id is seen
        assert {m.relation for m in again.seen_many(entries, [None] * 90) if m is not None} == {SEEN}


def test_a_log_past_its_limit_is_checkpointed_by_the_writer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # No background checkpoint ever completes (as when every one overlaps a commit): the log would only grow.
    monkeypatch.setattr(checkpoint.Checkpointer, "_run", lambda self: None)
    entries = _entries(tmp_path)[:120]

    def log_sizes(name: str, limit: int) -> tuple[list[int], int]:
        monkeypatch.setattr(checkpoint, "WAL_LIMIT", limit)
        sizes, found = [], []
        with SqliteIndex(tmp_path / f"{name}.sqlite", IndexSettings()) as index:
            for k in range(0, 120, 10):
                found += index.seen_many(entries[k : k + 10], [None] * 10)
                sizes.append((tmp_path / f"{name}.sqlite-wal").stat().st_size)
            assert index.stats()["documents"] == sum(m is None for m in found)  # every new story kept
            assert index._checkpoints is not None
            return sizes, index._checkpoints.restarts

    unbounded, none = log_sizes("u", 1 << 40)
    bounded, restarts = log_sizes("b", 64 << 10)
    assert none == 0 and restarts >= 1
    assert unbounded == sorted(unbounded)  # without the writer's checkpoints the log only grows
    assert max(bounded) < unbounded[-1] / 2  # with them it starts again: about one batch's pages at most
