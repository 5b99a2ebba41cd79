"""Deduplicator API and the ``dedup filter`` / ``dedup index`` / ``scan --index`` commands over an SQLite index,
concurrent filters included (the shared Redis index: tests/test_index_redis.py)."""

from __future__ import annotations

import json
import select
import shlex
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
    EN_OTHER_TEXT,
    EN_TEXT,
    EN_TITLE,
    corpus_records,
    jsonl_text,
    record,
    write_jsonl,
)
from typer.testing import CliRunner

from dedup.cli import app
from dedup.index import parse_time
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


def test_the_window_is_measured_against_the_documents_own_dates(tmp_path: Path) -> None:
    # A batch from 2001 deduplicates within its own 30-day window, whatever today's date.
    with Deduplicator(tmp_path / "w.sqlite", max_age_days=30) as dedup:
        assert dedup.seen({"id": "jan", "text": EN_TEXT, "date": "2001-01-01"}) is None
        assert dedup.seen({"id": "jan-copy", "text": EN_TEXT, "date": "2001-01-20"}).id == "jan"
        assert dedup.seen({"id": "apr", "text": AR_TEXT, "date": "2001-04-01"}) is None  # the window ends in April now
        assert dedup.seen({"id": "apr-copy-of-jan", "text": EN_TEXT, "date": "2001-04-02"}) is None  # jan is out of it
        assert dedup.seen({"id": "undated", "text": AR_TEXT + "\n\nMore."}).id == "apr"  # undated: added today
        # A date after tomorrow is a mistake: it does not move the window (or everything would expire).
        assert dedup.seen({"id": "typo", "text": EN_OTHER_TEXT, "date": "2901-01-01"}) is None
        assert dedup.seen({"id": "apr-copy", "text": AR_TEXT, "date": "2001-04-03"}).id == "apr"
        assert (
            dedup.check({"id": "x", "text": EN_TEXT}, since=parse_time("2001-04-03")) == []
        )  # --since: the later of both
    with Deduplicator(tmp_path / "w.sqlite", max_age_days=30) as dedup:
        # Expired on opening, before the newest date in the index (2001-04-02), not before today: only jan goes.
        assert dedup.index.stats()["documents"] == 3  # apr, apr-copy-of-jan, typo
        assert dedup.check({"id": "x", "text": EN_TEXT}, cleaned=True)[0].id == "apr-copy-of-jan"


def test_filter_max_age_on_a_batch_older_than_the_window(tmp_path: Path) -> None:
    # Every fixture story is dated 2024, long before today: the window still applies within the batch.
    index = str(tmp_path / "old.sqlite")
    result = run("filter", "--index", index, "--max-age", "200", "-q", input=jsonl_text(corpus_records()))
    assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == [
        "ar-spa",
        "en-reuters",
        "ar-other",
        "en-other",
        "en-budget",
    ]
    # A 30-day window before the newest date (2024-08-22): the March copy's original is out of it, the August
    # copy's is not.
    result = run(
        "filter", "--index", str(tmp_path / "w30.sqlite"), "--max-age", "30", "-q", input=jsonl_text(corpus_records())
    )
    assert "ar-copy" in result.stdout and "en-copy" not in result.stdout


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


def test_filter_jsonl_prepared_ahead_decides_as_in_one_process(tmp_path: Path) -> None:
    """Batches prepared by the forked worker (several of them in flight, a record without text among them) give
    the same lines, rejects and index as batches prepared in the deciding process."""
    import io

    records = corpus_records() + stories(9) + corpus_records()[:3] + [{"id": "no-text", "body": "x"}]
    records = [dict(r, id=f"{r['id']}-{k}") for k, r in enumerate(records)]  # the second round: new ids
    data = jsonl_text(records).encode()
    results = []
    for ahead in (True, False):
        with Deduplicator(tmp_path / f"ahead-{ahead}.sqlite", Settings(site_boilerplate=False)) as dedup:
            out, rejects = io.StringIO(), io.StringIO()
            summary = filter_jsonl(dedup, io.BytesIO(data), out, rejects, batch=4, prepare_ahead=ahead)
            results.append((out.getvalue(), rejects.getvalue(), dedup.index.stats()["documents"], summary.no_text))
    assert results[0] == results[1]
    rejected = {json.loads(line)["id"]: json.loads(line)["duplicate_of"] for line in results[0][1].splitlines()}
    assert rejected == {
        "ar-copy-3": "ar-spa-0",
        "en-copy-5": "en-reuters-1",
        "ar-spa-16": "ar-spa-0",
        "en-reuters-17": "en-reuters-1",
        "ar-other-18": "ar-other-2",
    }
    assert results[0][3] == 1 and '"no-text' in results[0][0]


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
    # A window of one day before the newest date (2024-08-21): the Arabic original is out of it, and stays indexed.
    query = run("index", "query", str(batch), "--index", index, "--max-age", "1")
    assert query.stdout.split("\t")[:2] == ["en-copy", "en-reuters"] and query.stdout.count("\n") == 1
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
    # One day before the newest date in the index (2024-08-21), not before today: the March story goes.
    assert "expired 1 documents; 3 left" in compact.stderr


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


# -- records without a text field, a closed stdout ------------------------------------------------------------------

ODD = ['{"id": "odd-1",   "body": "A text under another name."}', '{"id": "odd-2", "content": "Another."}']


def check_filter_passes_records_without_text_through(index: str) -> None:
    """``dedup filter`` on ``index``: records without a text field go through unchanged, counted, warned of once."""
    lines = jsonl_text(corpus_records()).splitlines()
    data = "\n".join([lines[0], ODD[0], *lines[1:4], ODD[1], *lines[4:]]) + "\n"
    result = run("filter", "--index", index, input=data)
    assert result.exit_code == 0, result.output
    rejected = {"ar-copy", "en-copy"}
    assert result.stdout.splitlines() == [ln for ln in data.splitlines() if json.loads(ln)["id"] not in rejected]
    warnings = [ln for ln in result.stderr.splitlines() if "warning" in ln]
    assert len(warnings) == 1 and "<stdin>:2: no 'text' or 'html' string field" in warnings[0], result.stderr
    assert "read 9, passed 5, rejected 2, passed through 2 without a text field" in result.stderr
    strict = run("filter", "--index", index, "--strict", input=data)
    assert strict.exit_code == 2 and "<stdin>:2: no 'text' or 'html' string field" in strict.stderr


def test_filter_passes_records_without_a_text_field_through(tmp_path: Path) -> None:
    check_filter_passes_records_without_text_through(str(tmp_path / "odd.sqlite"))
    quiet = run("filter", "--index", str(tmp_path / "q.sqlite"), "-q", input=ODD[0] + "\n")
    assert quiet.stdout == ODD[0] + "\n" and quiet.stderr == ""


@pytest.mark.parametrize(
    "command",
    [
        ["index", "stats"],
        ["index", "query", "BATCH"],
        ["filter", "BATCH"],
        ["scan", "BATCH"],
        ["scan", "BATCH", "--format", "json"],
    ],
)
def test_a_reader_of_stdout_that_goes_away_ends_the_command_without_a_message(
    tmp_path: Path, command: list[str]
) -> None:
    index = str(tmp_path / "p.sqlite")
    batch = write_jsonl(tmp_path / "b.jsonl", corpus_records())
    if command[0] != "filter":  # (a filter writes what is new)
        assert run("index", "add", str(batch), "--index", index, "-q").exit_code == 0
    args = [str(batch) if a == "BATCH" else a for a in command]
    proc = subprocess.Popen(
        [*_dedup_command(), *args, "--index", index] if command[0] != "scan" else [*_dedup_command(), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # the reader is gone before anything is written: every write is a broken pipe
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 1 and err == ""  # 1: the output was cut short (as rich's own tables say)


def test_piping_into_head_prints_no_error(tmp_path: Path) -> None:
    index = str(tmp_path / "h.sqlite")
    assert (
        run("index", "add", str(write_jsonl(tmp_path / "c.jsonl", corpus_records())), "--index", index).exit_code == 0
    )
    dedup = " ".join(shlex.quote(part) for part in _dedup_command())
    shell = subprocess.run(
        ["bash", "-c", f"{dedup} index stats --index {shlex.quote(index)} | head -1"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert shell.stdout.startswith("index: ") and shell.stderr == ""


def test_a_batch_gets_the_answers_one_at_a_time_gets(tmp_path: Path) -> None:
    items = [*corpus_records(), *stories(30), record("s3-again", "story 3", stories(30)[3]["text"])]
    with Deduplicator(tmp_path / "one.sqlite", Settings(site_boilerplate=False)) as one:
        singly = [one.seen(item) for item in items]
    with Deduplicator(tmp_path / "many.sqlite", Settings(site_boilerplate=False)) as many:
        batched = many.seen_many(items)
    assert [m and (m.id, m.relation) for m in batched] == [m and (m.id, m.relation) for m in singly]
    assert [m and m.id for m in batched].count(None) == len(items) - 3  # ar-copy, en-copy and the story again


def test_filter_on_a_pipe_answers_each_record_before_the_next_arrives(tmp_path: Path) -> None:
    # A scraper writing one item at a time must not wait for a batch to fill: what is pending is decided as soon
    # as the pipe has nothing more to read.
    proc = subprocess.Popen(
        [*_dedup_command(), "filter", "--index", str(tmp_path / "live.sqlite"), "-q"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdin is not None and proc.stdout is not None
    try:
        for item in stories(3):
            proc.stdin.write((json.dumps(item) + "\n").encode())
            proc.stdin.flush()
            assert select.select([proc.stdout], [], [], 60)[0], "no answer while the pipe waits for the next item"
            assert json.loads(proc.stdout.readline())["id"] == item["id"]
    finally:
        proc.stdin.close()
        returncode = proc.wait(timeout=60)
    assert returncode == 0
