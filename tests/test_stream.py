"""Deduplicator API and the ``dedup filter`` / ``dedup index`` / ``scan --index`` commands over an SQLite index,
concurrent filters included (the shared Redis index: tests/test_index_redis.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from conftest import (
    AR_COPY_TEXT,
    AR_COPY_TITLE,
    AR_TEXT,
    AR_TITLE,
    EN_COPY_TEXT,
    EN_TEXT,
    EN_TITLE,
    corpus_records,
    jsonl_text,
    record,
    write_jsonl,
)
from typer.testing import CliRunner

from dedup.cli import app
from dedup.index.stream import Deduplicator, filter_jsonl
from dedup.io import InputError
from dedup.settings import Settings

runner = CliRunner()


def run(*args: str, input: str | None = None):
    return runner.invoke(app, list(args), input=input)


def stories(n: int, seed: int = 7) -> list[dict[str, object]]:
    """``n`` unrelated synthetic stories of 80 words each."""
    rng = np.random.default_rng(seed)
    vocab = [f"w{i}" for i in range(20000)]
    return [record(f"s{i}", f"story {i}", " ".join(rng.choice(vocab, 80))) for i in range(n)]


# -- the Python API ---------------------------------------------------------------------------------------------


def test_deduplicator_seen_on_items(tmp_path: Path) -> None:
    with Deduplicator(tmp_path / "seen.sqlite") as dedup:
        assert dedup.seen({"id": "ar-spa", "title": AR_TITLE, "text": AR_TEXT}) is None
        match = dedup.seen({"id": "ar-copy", "title": AR_COPY_TITLE, "text": AR_COPY_TEXT})
        assert match is not None and match.id == "ar-spa" and match.similarity >= 0.5
        assert dedup.check({"id": "en", "text": EN_TEXT}) == []
        assert dedup.seen({"id": "en", "text": EN_TEXT}) is None
        html = f"<html><body><article><h1>{EN_TITLE}</h1><p>{EN_TEXT}</p></article></body></html>"
        assert dedup.seen({"id": "en-html", "html": html}).id == "en"
    with Deduplicator(tmp_path / "seen.sqlite") as again:  # persisted across processes/sessions
        assert again.seen({"id": "z", "text": EN_COPY_TEXT, "title": EN_TITLE}).id == "en"


def test_deduplicator_window_expires_old_stories(tmp_path: Path) -> None:
    with Deduplicator(tmp_path / "w.sqlite", max_age_days=30) as dedup:
        assert dedup.seen({"id": "old", "text": EN_TEXT, "date": "2001-01-01"}) is None
        assert dedup.seen({"id": "new", "text": EN_TEXT}) is None  # the old copy is outside the window
    with Deduplicator(tmp_path / "w.sqlite", max_age_days=30) as dedup:
        assert dedup.index.stats()["documents"] == 1  # expired on open


def test_deduplicator_refuses_other_settings(tmp_path: Path) -> None:
    Deduplicator(tmp_path / "s.sqlite").close()
    with pytest.raises(InputError, match=r"incompatible settings.*num_perm: index 128, this run 64"):
        Deduplicator(tmp_path / "s.sqlite", Settings(num_perm=64))


def test_filter_jsonl_streams_and_rejects(tmp_path: Path) -> None:
    import io

    records = corpus_records()
    with Deduplicator(tmp_path / "f.sqlite", Settings(site_boilerplate=False)) as dedup:
        out, rejects = io.StringIO(), io.StringIO()
        summary = filter_jsonl(dedup, io.BytesIO(jsonl_text(records).encode()), out, rejects)
    passed = [json.loads(line)["id"] for line in out.getvalue().splitlines()]
    rejected = {json.loads(line)["id"]: json.loads(line)["duplicate_of"] for line in rejects.getvalue().splitlines()}
    assert rejected == {"ar-copy": "ar-spa", "en-copy": "en-reuters"}
    assert passed == [r["id"] for r in records if r["id"] not in rejected]
    assert (summary.read, summary.passed, summary.rejected) == (7, 5, 2)


# -- the commands -----------------------------------------------------------------------------------------------


def test_filter_command_second_batch_is_all_duplicates(tmp_path: Path) -> None:
    index = str(tmp_path / "cli.sqlite")
    first = run("filter", "--index", index, "--quiet", input=jsonl_text(corpus_records()))
    assert first.exit_code == 0, first.output
    assert len(first.stdout.splitlines()) == 5
    second = run(
        "filter", "--index", index, "--rejects", str(tmp_path / "rej.jsonl"), input=jsonl_text(corpus_records())
    )
    assert second.exit_code == 0 and second.stdout == ""
    assert "passed 0, rejected 7" in second.stderr
    assert len((tmp_path / "rej.jsonl").read_text().splitlines()) == 7


def test_index_commands(tmp_path: Path) -> None:
    corpus = write_jsonl(tmp_path / "c.jsonl", [r for r in corpus_records() if r["id"] not in ("ar-copy", "en-copy")])
    batch = write_jsonl(tmp_path / "b.jsonl", [r for r in corpus_records() if r["id"] in ("ar-copy", "en-copy")])
    index = str(tmp_path / "i.sqlite")
    added = run("index", "add", str(corpus), "--index", index)
    assert added.exit_code == 0 and "added 5" in added.stderr
    query = run("index", "query", str(batch), "--index", index, "--json")
    found = {
        json.loads(line)["id"]: [m["id"] for m in json.loads(line)["matches"]] for line in query.stdout.splitlines()
    }
    assert found == {"ar-copy": ["ar-spa"], "en-copy": ["en-reuters"]}
    assert run("index", "query", str(batch), "--index", index, "--since", "2030-01-01").stdout == ""
    scan = run("scan", str(batch), "--index", index, "--format", "json")
    assert scan.exit_code == 0, scan.output
    body = json.loads(scan.stdout)
    assert {(m["id"], m["duplicate_of"]) for m in body["index_matches"] if m["similarity"] >= 0.5} == {
        ("ar-copy", "ar-spa"),
        ("en-copy", "en-reuters"),
    }
    stats = json.loads(run("index", "stats", "--index", index, "--json").stdout)
    assert stats["documents"] == 5 and stats["settings"]["ngram"] == "3"
    assert "removed 1 of 1" in run("index", "remove", "ar-spa", "--index", index).stderr
    compact = run("index", "compact", "--index", index, "--max-age", "1")
    assert "expired 4 documents; 0 left" in compact.stderr  # every fixture story is dated 2024


def test_index_errors_are_one_line(tmp_path: Path) -> None:
    index = str(tmp_path / "e.sqlite")
    run("filter", "--index", index, "-q", input=jsonl_text(corpus_records()))
    result = run("filter", "--index", index, "--ngram", "5", input=jsonl_text(corpus_records()))
    assert result.exit_code == 2
    assert result.stderr.strip().count("\n") == 0 and "ngram: index 3, this run 5" in result.stderr
    missing = run("index", "stats", "--index", str(tmp_path / "nope.sqlite"))
    assert missing.exit_code == 2 and "no such index" in missing.stderr


def _dedup_command() -> list[str]:
    script = Path(sys.executable).with_name("dedup")
    return [str(script)] if script.exists() else [sys.executable, "-c", "from dedup.cli import app; app()"]


def _concurrent_filters(index: str, records: list[dict[str, object]], workers: int, tmp_path: Path) -> Counter:
    """Run ``workers`` filter processes at once, each fed every record; count the ids that got through."""
    data = jsonl_text(records).encode()
    procs = [
        subprocess.Popen(
            [*_dedup_command(), "filter", "--index", index, "--quiet"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for _ in range(workers)
    ]
    for p in procs:  # start every worker before feeding any, so that they really race
        assert p.stdin is not None
        p.stdin.write(data)
    outputs = [p.communicate(timeout=120) for p in procs]
    for p, (_, err) in zip(procs, outputs):
        assert p.returncode == 0, err.decode()
    return Counter(json.loads(line)["id"] for out, _ in outputs for line in out.decode().splitlines())


def test_concurrent_filters_on_sqlite_pass_one_copy(tmp_path: Path) -> None:
    records = stories(40)
    passed = _concurrent_filters(str(tmp_path / "shared.sqlite"), records, 2, tmp_path)
    assert passed == Counter({r["id"]: 1 for r in records})


def test_an_item_without_a_text_field_is_an_error_naming_the_fields(tmp_path: Path) -> None:
    from dedup.io import FieldNames, RecordError

    seen = Deduplicator(tmp_path / "i.sqlite")
    with pytest.raises(RecordError, match=r"no 'text' or 'html' string field.*'body'"):
        seen.seen({"id": "a", "body": EN_TEXT})
    renamed = Deduplicator(tmp_path / "j.sqlite", Settings(fields=FieldNames(text="body")))
    assert renamed.seen({"id": "a", "body": EN_TEXT}) is None
    assert renamed.seen({"id": "b", "body": EN_TEXT}).id == "a"


def test_an_item_with_empty_text_and_html_is_read_from_its_html(tmp_path: Path) -> None:
    seen = Deduplicator(tmp_path / "i.sqlite")
    html = "<html><body><article>" + "".join(f"<p>{p}</p>" for p in EN_TEXT.split("\n\n")) + "</article></body></html>"
    assert seen.seen({"id": "a", "text": EN_TEXT}) is None
    assert seen.seen({"id": "b", "text": "", "html": html}).id == "a"
