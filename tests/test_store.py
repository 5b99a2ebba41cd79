"""The persistent SQLite index: query and atomic check-then-add, an id seen again, maintenance, settings records,
crash safety. The checks shared with the Redis index are the ``check_*`` functions (tests/test_index_redis.py)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest
from conftest import (
    AR_COPY_TEXT,
    AR_COPY_TITLE,
    AR_OTHER_TEXT,
    AR_TEXT,
    AR_TITLE,
    EN_COPY_TEXT,
    EN_OTHER_TEXT,
    EN_TEXT,
    EN_UNRELATED_TEXT,
)
from typer.testing import CliRunner

from dedup.cli import app
from dedup.cluster import CONTAINED, COPY
from dedup.document import Document
from dedup.fingerprint import Fingerprinter
from dedup.index import SEEN, Index, IndexMismatch, IndexSettings, SqliteIndex, make_entry, open_index, parse_time
from dedup.io import InputError
from dedup.lsh import band_hashes
from dedup.normalize import normalize
from dedup.pipeline import scan_documents
from dedup.settings import Settings

FP = Fingerprinter()


def entry(doc_id: str, text: str, date: str | None = None):
    return make_entry(doc_id, normalize(text), FP, date=date)


@pytest.fixture
def index(tmp_path: Path):
    with open_index(tmp_path / "news.sqlite", IndexSettings()) as idx:
        yield idx


def test_query_finds_republished_copy_not_other_story(index) -> None:
    assert index.add([entry("ar-spa", AR_TITLE + "\n" + AR_TEXT), entry("en", EN_TEXT)]) == 2
    matches = index.query(entry("ar-copy", AR_COPY_TITLE + "\n" + AR_COPY_TEXT))
    assert [m.id for m in matches] == ["ar-spa"]
    assert 0.5 <= matches[0].similarity < 1.0
    assert index.query(entry("ar-other", AR_OTHER_TEXT)) == []


def test_exact_copy_matches_with_similarity_one(index) -> None:
    index.add([entry("a", EN_TEXT)])
    [match] = index.query(entry("b", EN_TEXT))
    assert (match.id, match.similarity) == ("a", 1.0)


def test_seen_keeps_new_documents_and_files_a_copy_under_the_kept_one(index) -> None:
    assert index.seen(entry("a", EN_TEXT)) is None
    assert index.seen(entry("b", EN_TEXT)).id == "a"
    assert index.seen(entry("c", AR_TEXT)) is None
    assert (index.stats()["documents"], index.stats()["removed_copies"]) == (2, 1)
    assert index.seen(entry("d", EN_TEXT)).id == "a"  # an exact copy of the removed copy names the kept one


def test_template_siblings_are_not_copies(index) -> None:
    base = (
        "وصلت الطائرة رقم {n} الى مطار عدن الدولي اليوم تحمل {t} طنا من المساعدات الطبية والغذائية المقدمة من "
        "مركز الملك سلمان للاغاثة والاعمال الانسانية دعما للقطاع الصحي في المحافظات اليمنية"
    )
    assert index.seen(entry("plane-4", base.format(n=4, t=20))) is None
    assert index.seen(entry("plane-5", base.format(n=5, t=35))) is None


def check_an_id_seen_again(index: Index) -> None:
    """Same id and text: already seen, nothing changes. Same id, new text: a new version replaces the old one."""
    assert index.seen(entry("a", EN_TEXT)) is None
    again = index.seen(entry("a", EN_TEXT))
    assert (again.id, again.similarity, again.relation) == ("a", 1.0, SEEN)  # itself, not a duplicate of another
    assert index.stats()["documents"] == 1
    assert index.seen(entry("a", AR_TITLE + "\n" + AR_TEXT)) is None  # updated at the same URL: a new version
    assert index.stats()["documents"] == 1
    assert index.seen(entry("a-copy", AR_COPY_TITLE + "\n" + AR_COPY_TEXT)).id == "a"  # copies of the new text
    assert index.seen(entry("en-copy", EN_COPY_TEXT)) is None  # the old text matches nothing any more
    # A new version that duplicates another document: the old version goes, and the new one is that duplicate.
    assert index.seen(entry("en-copy", AR_TITLE + "\n" + AR_TEXT)).id == "a"
    assert [m.id for m in index.query(entry("x", EN_COPY_TEXT))] == []
    # add(): the same rules, in bulk.
    assert index.add([entry("b", AR_OTHER_TEXT)]) == 1
    assert index.add([entry("b", AR_OTHER_TEXT)]) == 0
    assert index.add([entry("b", EN_OTHER_TEXT), entry("c", EN_UNRELATED_TEXT), entry("c", EN_TEXT)]) == 2
    assert [m.id for m in index.query(entry("x", EN_OTHER_TEXT))] == ["b"]
    assert [m.id for m in index.query(entry("x", EN_TEXT))] == ["c"]
    assert index.query(entry("x", AR_OTHER_TEXT)) == [] and index.query(entry("x", EN_UNRELATED_TEXT)) == []
    assert index.query(entry("b", EN_OTHER_TEXT)) == []  # query never answers a document with itself
    assert index.stats()["documents"] == 3


def test_an_id_seen_again(index) -> None:
    check_an_id_seen_again(index)


def test_remove_and_expire(index) -> None:
    index.add([entry("old", EN_TEXT, date="2020-01-01"), entry("new", AR_TEXT, date="2030-01-01")])
    assert index.expire(parse_time("2024-01-01")) == 1
    assert index.query(entry("x", EN_TEXT)) == []
    assert index.remove(["new", "missing"]) == 1
    assert index.stats()["documents"] == 0
    assert index.db.execute("SELECT COUNT(*) FROM bands").fetchone()[0] == 0
    index.compact()


def test_since_limits_matches_to_the_window(index) -> None:
    index.add([entry("old", EN_TEXT, date="2020-01-01")])
    assert index.query(entry("x", EN_TEXT), since=parse_time("2024-01-01")) == []
    assert [m.id for m in index.query(entry("x", EN_TEXT), since=parse_time("2019-01-01"))] == ["old"]


def test_settings_are_recorded_and_mismatches_refused(tmp_path: Path) -> None:
    path = tmp_path / "i.sqlite"
    open_index(path, IndexSettings()).close()
    with open_index(path) as idx:
        assert idx.settings == IndexSettings()
        assert idx.stats()["settings"]["scheme"] == "affine32"
    with pytest.raises(IndexMismatch, match=r"ngram: index 3, this run 5"):
        open_index(path, IndexSettings(ngram=5))
    # It decides as it was made to: a run with other thresholds would get other answers from it.
    with pytest.raises(IndexMismatch, match=r"threshold: index 0.5, this run 0.6; coverage: index 0.75, this run 0.9"):
        open_index(path, IndexSettings(threshold=0.6, coverage=0.9))
    with pytest.raises(IndexMismatch, match=r"lsh_threshold: index 0.1, this run 0.3"):
        open_index(path, IndexSettings(lsh_threshold=0.3))
    with pytest.raises(IndexMismatch, match=r"templates: index True, this run False"):
        open_index(path, IndexSettings(templates=False))
    db = sqlite3.connect(path)
    db.execute("UPDATE meta SET value = 'legacy' WHERE key = 'scheme'")
    db.commit()
    db.close()
    with pytest.raises(IndexMismatch, match=r"scheme: index legacy, this run affine32.*datasketch 1.x"):
        open_index(path, IndexSettings())


def test_not_an_index(tmp_path: Path) -> None:
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(InputError, match="not a dedup index"):
        open_index(junk, IndexSettings())
    with pytest.raises(InputError, match="no such index"):
        open_index(tmp_path / "missing.sqlite")


def test_band_hashes_separate_bands() -> None:
    sig = np.zeros((1, 8), dtype=np.uint32)
    keys = band_hashes(sig, 4, 2)[0]
    assert len(set(keys.tolist())) == 4  # equal rows in different bands are different buckets


def test_stored_band_keys_never_change() -> None:
    # Index files and Redis keys hold these values: a change to band_hashes' flat keys would make every existing
    # index silently miss its copies.
    sig = np.arange(128, dtype=np.uint32).reshape(1, 128) * np.uint32(2654435761)
    assert band_hashes(sig, 37, 3)[0, :4].tolist() == [
        7487042077339914629,
        -1661905534473772873,
        -1676216437523885281,
        227449238263094419,
    ]
    assert band_hashes(sig, 25, 5)[0, -2:].tolist() == [5330517544999954286, -5345218817534973227]
    assert band_hashes(sig, 64, 2)[0, :2].tolist() == [6073457997450765437, 6921374462577855513]


LEGACY = Path(__file__).parent / "data" / "index-v1.sqlite"  # written by dedup 0.1.0 (store.py), three stories


def test_an_index_of_format_1_is_refused_with_how_to_rebuild_it(tmp_path: Path) -> None:
    # Format 1 banded for a candidate threshold of 0.3 and kept no content words: it cannot decide as scan does.
    path = tmp_path / "old.sqlite"
    path.write_bytes(LEGACY.read_bytes())  # opening writes (WAL): never the checked-in file
    for settings in (IndexSettings(), None):
        with pytest.raises(IndexMismatch) as refused:
            open_index(path, settings)
        message = str(refused.value)
        assert "\n" not in message and message.startswith(f"{path}: an index of format 1")
        assert "dedup index add YOUR_DOCUMENTS --index NEW_INDEX" in message
    result = CliRunner().invoke(app, ["index", "stats", "--index", str(path)])
    assert result.exit_code == 2 and result.stdout == "" and result.stderr.count("\n") == 1
    assert "format 1" in result.stderr and "Traceback" not in result.stderr


def test_stored_bands_are_the_band_keys_of_the_stored_signatures(index) -> None:
    index.add([entry("a", EN_TEXT), entry("b", AR_TEXT), entry("c", AR_OTHER_TEXT)])
    index.seen(entry("a", EN_OTHER_TEXT))  # a new version: its old bands go
    assert (index.bands, index.rows) == IndexSettings().bands_rows == (64, 2)  # scan's candidate threshold, 0.1
    rows = index.db.execute("SELECT rowid, signature FROM docs ORDER BY rowid").fetchall()
    keys = index.band_keys(np.stack([np.frombuffer(sig, dtype="<u4") for _, sig in rows]))
    stored = set(index.db.execute("SELECT key, doc FROM bands").fetchall())
    assert stored == {(int(k), rowid) for (rowid, _), row in zip(rows, keys) for k in row}


WRITER = textwrap.dedent("""
    import sys, numpy as np
    from dedup.index import Entry, IndexSettings, open_index
    idx = open_index(sys.argv[1], IndexSettings())
    rng = np.random.default_rng(0)
    n = 0
    while True:
        batch = []
        for _ in range(500):
            sh = np.unique(rng.integers(0, 2**32, 50, dtype=np.uint32))
            batch.append(Entry(f"d{n}", n.to_bytes(16, "little"), rng.integers(0, 2**32, 128, dtype=np.uint32), sh,
                               "text", added_at=1.0, ts=1.0))
            n += 1
        idx.add(batch)
        print(n, flush=True)
""")


def test_index_survives_kill_mid_write(tmp_path: Path) -> None:
    path = tmp_path / "crash.sqlite"
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(path)], stdout=subprocess.PIPE, text=True)
    committed = 0
    assert proc.stdout is not None
    deadline = time.monotonic() + 60
    while committed < 2000 and time.monotonic() < deadline:
        committed = int(proc.stdout.readline())
    time.sleep(0.05)  # now well inside the next batch's transaction
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert committed >= 2000
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    docs = db.execute("SELECT COUNT(*) FROM docs").fetchone()[0]
    bands = db.execute("SELECT COUNT(*) FROM bands").fetchone()[0]
    db.close()
    assert docs >= committed and docs % 500 == 0  # whole batches only, the last one reported included
    with SqliteIndex(path, IndexSettings()) as idx:
        assert bands == docs * idx.bands
        assert idx.stats()["documents"] == docs


# -- decided as scan decides ----------------------------------------------------------------------------------------

# Letter-only words: a word with a digit reads as a fact to the template test.
VOCAB = [a + b + c for a in "ابتجدرسعقلمن" for b in "هوىطكفصحخ" for c in "ثذزشضظغئؤ"]


def _stories(rng: np.random.Generator, n: int, words: int = 150) -> list[str]:
    return [" ".join(rng.choice(VOCAB, words)) for _ in range(n)]


def test_a_story_inside_a_roundup_is_found_as_scan_finds_it(tmp_path: Path) -> None:
    # A 150-word story inside round-ups of 900 to 1,200 words: word-shingle Jaccard 0.12 to 0.17, which bands for
    # a candidate threshold of 0.1 propose three times in four; the round-ups' excerpt windows propose the rest.
    rng = np.random.default_rng(3)
    agree = found = 0
    with open_index(tmp_path / "r.sqlite", IndexSettings()) as idx:
        for k in range(12):
            stories = _stories(rng, 6 + k % 3)
            roundup, excerpt = "\n".join(stories), stories[k % len(stories)]
            idx.add([entry(f"roundup-{k}", roundup)])
            matches = idx.query(entry(f"excerpt-{k}", excerpt))
            docs = [Document(id=f"roundup-{k}", text=roundup), Document(id=f"excerpt-{k}", text=excerpt)]
            in_scan = bool(scan_documents(docs, Settings(site_boilerplate=False)).clusters)
            assert all((m.id, m.relation) == (f"roundup-{k}", CONTAINED) for m in matches)
            agree += bool(matches) == in_scan
            found += bool(matches)
    assert agree == 12 and found == 12  # excerpt windows find the story in every round-up


def test_a_roundup_is_never_a_duplicate_of_a_story_it_holds(index) -> None:
    # The coverage rule: a document is a duplicate of an indexed one only when the indexed one says what it says.
    stories = _stories(np.random.default_rng(5), 3)
    assert index.seen(entry("story", stories[0])) is None
    assert index.seen(entry("roundup", "\n".join(stories))) is None  # holds the story, and much more
    assert {(m.id, m.relation) for m in index.query(entry("again", stories[0]))} == {
        ("story", COPY),
        ("roundup", CONTAINED),
    }
    assert index.seen(entry("other-roundup", "\n".join(stories[1:]))).relation == CONTAINED
