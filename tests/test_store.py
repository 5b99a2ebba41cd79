"""The persistent SQLite index: query and atomic check-then-add, maintenance, settings records, crash safety."""

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
from conftest import AR_COPY_TEXT, AR_COPY_TITLE, AR_OTHER_TEXT, AR_TEXT, AR_TITLE, EN_TEXT

from dedup.fingerprint import Fingerprinter
from dedup.io import InputError
from dedup.normalize import normalize
from dedup.store import IndexMismatch, IndexSettings, SqliteIndex, band_hashes, make_entry, open_index, parse_time

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


def test_seen_adds_only_new_documents(index) -> None:
    assert index.seen(entry("a", EN_TEXT)) is None
    assert index.seen(entry("b", EN_TEXT)).id == "a"
    assert index.seen(entry("c", AR_TEXT)) is None
    assert index.stats()["documents"] == 2


def test_template_siblings_are_not_copies(index) -> None:
    base = ("وصلت الطائرة رقم {n} الى مطار عدن الدولي اليوم تحمل {t} طنا من المساعدات الطبية والغذائية المقدمة من "
            "مركز الملك سلمان للاغاثة والاعمال الانسانية دعما للقطاع الصحي في المحافظات اليمنية")
    assert index.seen(entry("plane-4", base.format(n=4, t=20))) is None
    assert index.seen(entry("plane-5", base.format(n=5, t=35))) is None


def test_ids_already_indexed_are_kept(index) -> None:
    assert index.add([entry("a", EN_TEXT)]) == 1
    assert index.add([entry("a", AR_TEXT)]) == 0
    assert index.query(entry("x", AR_TEXT)) == []


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


WRITER = textwrap.dedent("""
    import sys, numpy as np
    from dedup.store import Entry, IndexSettings, open_index
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
