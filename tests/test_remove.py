"""``dedup remove`` and ``dedup restore``: outputs, manifests, untouched inputs, refusals and exact undo."""

from __future__ import annotations

import base64
import gzip
import io
import json
import os
import re
import stat
from pathlib import Path

import pytest
from conftest import (
    AR_COPY_TEXT,
    AR_COPY_TITLE,
    AR_OTHER_TEXT,
    AR_OTHER_TITLE,
    AR_TEXT,
    AR_TITLE,
    EN_COPY_TEXT,
    EN_COPY_TITLE,
    EN_TEXT,
    EN_TITLE,
    EN_UNRELATED_TEXT,
    EN_UNRELATED_TITLE,
    corpus_records,
    jsonl_text,
    read_jsonl,
    record,
    tree_hashes,
    write_jsonl,
    write_txt,
)
from typer.testing import CliRunner

import dedup.io.read
from dedup.cli import app
from dedup.pipeline import Pipeline
from dedup.remove import remove, restore
from dedup.settings import Settings

DROPPED = {"ar-copy", "en-copy"}  # with --keep first, the later copy of each pair goes


def run(*args: str, input: str | None = None):
    result = CliRunner().invoke(app, list(args), input=input)
    assert "Traceback" not in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


def error_lines(result) -> list[str]:
    return [ln for ln in result.stderr.splitlines() if ln.strip()]


# -- JSONL in, JSONL out -------------------------------------------------------------------------------------


def test_remove_jsonl_keeps_records_verbatim_and_writes_manifest(corpus_jsonl: Path, tmp_path: Path) -> None:
    before = tree_hashes(corpus_jsonl)
    out = tmp_path / "out" / "unique.jsonl"
    result = run("remove", str(corpus_jsonl), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "kept 5 of 7 documents, dropped 2 copies" in result.stderr
    assert result.stdout == ""
    assert tree_hashes(corpus_jsonl) == before
    # Kept records are the input records exactly (extra fields too), in input order.
    assert read_jsonl(out) == [r for r in corpus_records() if r["id"] not in DROPPED]
    manifest = json.loads((tmp_path / "out" / "unique.jsonl.manifest.json").read_text(encoding="utf-8"))
    assert manifest["output_kind"] == "jsonl"
    assert manifest["documents"] == 7
    dropped = {e["id"]: e for e in manifest["dropped"]}
    assert set(dropped) == DROPPED
    assert dropped["ar-copy"]["kept"] == "ar-spa" and dropped["en-copy"]["kept"] == "en-reuters"
    assert dropped["ar-copy"]["origin"] == f"{corpus_jsonl}:4"
    originals = {r["id"]: r for r in corpus_records()}
    assert json.loads(dropped["ar-copy"]["line"]) == originals["ar-copy"]  # the section field included
    assert dropped["ar-copy"]["line"] == json.dumps(originals["ar-copy"], ensure_ascii=False) + "\n"
    assert 0.5 <= dropped["en-copy"]["similarity"] < 1.0


def test_remove_and_restore_give_back_the_input_records(corpus_jsonl: Path, tmp_path: Path) -> None:
    out = tmp_path / "unique.jsonl"
    assert run("remove", str(corpus_jsonl), "-o", str(out), "-q").exit_code == 0
    result = run("restore", str(tmp_path / "unique.jsonl.manifest.json"))
    assert result.exit_code == 0, result.output
    assert "restored 2 documents" in result.stderr
    assert read_jsonl(out) == corpus_records()


def test_restore_equals_a_remove_that_dropped_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Text files become {id, title, text, source} records of their cleaned text; restore must put the dropped
    # ones back exactly as a run that dropped nothing would have written them.
    monkeypatch.chdir(tmp_path)
    d = Path("scraped")
    write_txt(d / "saba" / "aden.txt", AR_TITLE, AR_TEXT + "\nشارك الخبر")
    write_txt(d / "spa" / "aden.txt", AR_COPY_TITLE, AR_COPY_TEXT)
    write_txt(d / "reuters" / "strike.txt", EN_TITLE, EN_TEXT)
    out, everything = tmp_path / "unique.jsonl", tmp_path / "all.jsonl"
    assert run("remove", str(d), "-o", str(out), "--no-site-boilerplate").exit_code == 0
    assert [r["id"] for r in read_jsonl(out)] == ["scraped/reuters/strike.txt", "scraped/saba/aden.txt"]
    # Nothing is a duplicate at the highest thresholds but exact copies, and there are none here.
    assert (
        run(
            "remove", str(d), "-o", str(everything), "-t", "1.0", "--containment", "1.0", "--no-site-boilerplate"
        ).exit_code
        == 0
    )
    assert len(read_jsonl(everything)) == 3
    assert run("restore", str(tmp_path / "unique.jsonl.manifest.json")).exit_code == 0
    assert read_jsonl(out) == read_jsonl(everything)
    assert out.read_bytes() == everything.read_bytes()
    restored = {r["id"]: r for r in read_jsonl(out)}
    assert restored["scraped/spa/aden.txt"]["title"] == AR_COPY_TITLE
    assert restored["scraped/spa/aden.txt"]["source"] == "spa"
    assert "شارك الخبر" not in restored["scraped/saba/aden.txt"]["text"]


def test_custom_manifest_path(corpus_jsonl: Path, tmp_path: Path) -> None:
    out, manifest = tmp_path / "unique.jsonl", tmp_path / "logs" / "run-1.json"
    assert run("remove", str(corpus_jsonl), "-o", str(out), "--manifest", str(manifest)).exit_code == 0
    assert manifest.is_file()
    assert not (tmp_path / "unique.jsonl.manifest.json").exists()
    assert run("restore", str(manifest)).exit_code == 0
    assert read_jsonl(out) == corpus_records()


def test_keep_policy_decides_what_remove_drops(corpus_jsonl: Path, tmp_path: Path) -> None:
    out = tmp_path / "unique.jsonl"
    assert run("remove", str(corpus_jsonl), "-o", str(out), "--keep", "earliest").exit_code == 0
    ids = [r["id"] for r in read_jsonl(out)]
    # ar-copy is dated before ar-spa; en-reuters before en-copy.
    assert ids == ["en-reuters", "ar-other", "ar-copy", "en-other", "en-budget"]
    assert run("restore", str(tmp_path / "unique.jsonl.manifest.json")).exit_code == 0
    assert read_jsonl(out) == corpus_records()


def test_restore_from_another_working_directory(
    corpus_jsonl: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    assert run("remove", str(corpus_jsonl), "-o", "unique.jsonl").exit_code == 0
    monkeypatch.chdir(tmp_path)
    result = run("restore", "work/unique.jsonl.manifest.json")
    assert result.exit_code == 0, result.output
    assert read_jsonl(work / "unique.jsonl") == corpus_records()


def test_restore_twice_does_not_duplicate_records(corpus_jsonl: Path, tmp_path: Path) -> None:
    out = tmp_path / "unique.jsonl"
    assert run("remove", str(corpus_jsonl), "-o", str(out)).exit_code == 0
    manifest = str(tmp_path / "unique.jsonl.manifest.json")
    assert run("restore", manifest).exit_code == 0
    again = run("restore", manifest)
    assert again.exit_code == 2
    (line,) = error_lines(again)
    assert line.startswith(f"dedup: error: {manifest}: ") and "already restored" in line
    assert read_jsonl(out) == corpus_records()


def test_restore_of_a_file_that_is_not_a_manifest(corpus_jsonl: Path, tmp_path: Path) -> None:
    result = run("restore", str(corpus_jsonl))
    assert result.exit_code == 2
    (line,) = error_lines(result)
    assert line.startswith(f"dedup: error: {corpus_jsonl}: not a dedup manifest")
    missing = run("restore", str(tmp_path / "nope.manifest.json"))
    assert missing.exit_code == 2
    assert "nope.manifest.json" in missing.stderr


def test_restore_when_output_is_gone(corpus_jsonl: Path, tmp_path: Path) -> None:
    out = tmp_path / "unique.jsonl"
    assert run("remove", str(corpus_jsonl), "-o", str(out)).exit_code == 0
    out.unlink()
    result = run("restore", str(tmp_path / "unique.jsonl.manifest.json"))
    assert result.exit_code == 2
    assert "does not exist" in result.stderr


# -- files in, directory out -----------------------------------------------------------------------------------


def test_remove_directory_and_jsonl_into_directory_then_restore(
    txt_dir: Path, corpus_jsonl: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    before = {**tree_hashes(txt_dir), **tree_hashes(corpus_jsonl)}
    out = tmp_path / "unique"
    result = run("remove", str(txt_dir), str(corpus_jsonl), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert {**tree_hashes(txt_dir), **tree_hashes(corpus_jsonl)} == before
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    # Directory files are read in sorted order: okaz/ (the copy) is the first of the story and survives; the
    # saba original and both JSONL records of the story are dropped as its duplicates.
    assert files == ["adengad/hospital.txt", "news.jsonl", "okaz/aden-plane-copy.txt"]
    assert (out / "okaz" / "aden-plane-copy.txt").read_bytes() == (
        txt_dir / "okaz" / "aden-plane-copy.txt"
    ).read_bytes()
    kept_ids = [r["id"] for r in read_jsonl(out / "news.jsonl")]
    assert "ar-spa" not in kept_ids and "ar-copy" not in kept_ids and "en-copy" not in kept_ids
    # ar-other has the same title and text as adengad/hospital.txt, which comes first: an exact copy.
    assert "ar-other" not in kept_ids
    assert kept_ids == ["en-reuters", "en-other", "en-budget"]
    manifest = json.loads((tmp_path / "unique.manifest.json").read_text(encoding="utf-8"))
    assert manifest["output_kind"] == "directory"
    by_id = {e["id"]: e for e in manifest["dropped"]}
    assert (
        base64.b64decode(by_id["scraped/saba/aden-plane.txt"]["content_b64"])
        == (txt_dir / "saba" / "aden-plane.txt").read_bytes()
    )
    assert run("restore", str(tmp_path / "unique.manifest.json")).exit_code == 0
    # Restored: the txt files byte for byte, the JSONL file record for record.
    for path in txt_dir.rglob("*.txt"):
        assert (out / path.relative_to(txt_dir)).read_bytes() == path.read_bytes()
    assert (out / "news.jsonl").read_bytes() == corpus_jsonl.read_bytes()


def test_remove_gzipped_jsonl_into_directory_keeps_it_gzipped(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    src = write_jsonl(tmp_path / "in" / "news.jsonl.gz", corpus_records())
    out = tmp_path / "unique"
    assert run("remove", str(src), "-o", str(out)).exit_code == 0
    written = out / "news.jsonl.gz"
    with gzip.open(written, "rt", encoding="utf-8") as f:
        kept = [json.loads(line) for line in f]
    assert [r["id"] for r in kept] == [r["id"] for r in corpus_records() if r["id"] not in DROPPED]
    # The output is itself a valid input, and restore works on it.
    assert run("restore", str(tmp_path / "unique.manifest.json")).exit_code == 0
    with gzip.open(written, "rt", encoding="utf-8") as f:
        assert [json.loads(line) for line in f] == corpus_records()


def test_remove_into_empty_existing_directory(txt_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "empty"
    out.mkdir()
    assert run("remove", str(txt_dir), "-o", str(out)).exit_code == 0
    assert (out / "adengad" / "hospital.txt").is_file()


# -- refusals ----------------------------------------------------------------------------------------------------


def test_refuses_to_overwrite_its_input(corpus_jsonl: Path) -> None:
    before = tree_hashes(corpus_jsonl)
    result = run("remove", str(corpus_jsonl), "-o", str(corpus_jsonl))
    assert result.exit_code == 2
    (line,) = error_lines(result)
    assert line.startswith(f"dedup: error: {corpus_jsonl}: output would overwrite")
    assert tree_hashes(corpus_jsonl) == before
    assert not Path(str(corpus_jsonl) + ".manifest.json").exists()


def test_refuses_to_write_inside_an_input_directory(txt_dir: Path) -> None:
    before = tree_hashes(txt_dir)
    result = run("remove", str(txt_dir), "-o", str(txt_dir / "deduped"))
    assert result.exit_code == 2
    assert "inside input" in result.stderr
    assert tree_hashes(txt_dir) == before
    result = run("remove", str(txt_dir), "-o", str(txt_dir / "deduped.jsonl"))
    assert result.exit_code == 2
    assert tree_hashes(txt_dir) == before


def test_refuses_a_non_empty_output_directory(corpus_jsonl: Path, tmp_path: Path) -> None:
    out = tmp_path / "old-run"
    (out / "keep-me.txt").parent.mkdir()
    (out / "keep-me.txt").write_text("previous results", encoding="utf-8")
    result = run("remove", str(corpus_jsonl), "-o", str(out))
    assert result.exit_code == 2
    (line,) = error_lines(result)
    assert "not empty" in line and str(out) in line
    assert [p.name for p in out.iterdir()] == ["keep-me.txt"]


def test_refuses_stdin(corpus_jsonl: Path, tmp_path: Path) -> None:
    result = run("remove", "-", "-o", str(tmp_path / "u.jsonl"), input=corpus_jsonl.read_text(encoding="utf-8"))
    assert result.exit_code == 2
    assert "standard input" in result.stderr
    assert not (tmp_path / "u.jsonl").exists()


def test_missing_input_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "u.jsonl"
    result = run("remove", str(tmp_path / "missing.jsonl"), "-o", str(out))
    assert result.exit_code == 2
    assert "missing.jsonl: no such file or directory" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_lines_that_are_not_documents_pass_through_and_are_reported(tmp_path: Path) -> None:
    rows = [record("a", EN_TITLE, EN_TEXT, source="reuters.com"), record("b", EN_TITLE, EN_TEXT, source="x.com")]
    path = tmp_path / "n.jsonl"
    path.write_text(json.dumps(rows[0]) + "\n[1]\n" + json.dumps(rows[1]) + "\n", encoding="utf-8")
    out = tmp_path / "u.jsonl"
    result = run("remove", str(path), "-o", str(out))
    assert result.exit_code == 0
    assert error_lines(result)[0] == f"dedup: warning: {path}:2: expected a JSON object; line skipped"
    assert out.read_text(encoding="utf-8") == json.dumps(rows[0]) + "\n[1]\n"  # b, the copy, is dropped


def test_remove_to_gzipped_jsonl_output(corpus_jsonl: Path, tmp_path: Path) -> None:
    out = tmp_path / "unique.jsonl.gz"
    assert run("remove", str(corpus_jsonl), "-o", str(out)).exit_code == 0
    assert out.is_file()  # a file, not a directory named .jsonl.gz
    with gzip.open(out, "rt", encoding="utf-8") as f:
        assert [json.loads(line)["id"] for line in f] == [r["id"] for r in corpus_records() if r["id"] not in DROPPED]
    assert run("restore", str(tmp_path / "unique.jsonl.gz.manifest.json")).exit_code == 0
    with gzip.open(out, "rt", encoding="utf-8") as f:
        assert [json.loads(line) for line in f] == corpus_records()


def test_files_named_by_absolute_or_parent_path_go_inside_the_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a = write_txt(tmp_path / "inbox" / "aden.txt", AR_TITLE, AR_TEXT)
    b = write_txt(tmp_path / "inbox" / "strike.txt", EN_TITLE, EN_TEXT)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    before = {**tree_hashes(a), **tree_hashes(b)}
    # One input absolute, one climbing out with "..": both must be copied into out/, nowhere else.
    result = run("remove", str(a), "../inbox/strike.txt", "-o", "out")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (work / "out").iterdir()) == ["aden.txt", "strike.txt"]
    assert (work / "out" / "aden.txt").read_bytes() == a.read_bytes()
    assert {**tree_hashes(a), **tree_hashes(b)} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["inbox", "work"]


def test_two_inputs_that_would_land_on_one_output_file_are_refused(tmp_path: Path) -> None:
    write_txt(tmp_path / "spa" / "story.txt", AR_TITLE, AR_TEXT)
    write_txt(tmp_path / "bbc" / "story.txt", EN_TITLE, EN_TEXT)  # not a duplicate: both would be kept
    out = tmp_path / "out"
    result = run("remove", str(tmp_path / "spa"), str(tmp_path / "bbc"), "-o", str(out))
    assert result.exit_code == 2
    (line,) = error_lines(result)
    assert "story.txt" in line and "would both be written" in line
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bbc", "spa"]  # no staging directory left behind


# -- every line accounted for ------------------------------------------------------------------------------------


def _pipeline() -> Pipeline:
    return Pipeline(Settings(), workers=1)


def _odd_jsonl(last: str) -> bytes:
    """A scraped feed as it comes: odd spacing and key order, escapes, raw U+2028, bad lines, blank lines, CRLF.

    ``last`` is what the final line (with no newline after it) is: a kept record, a dropped copy, or not a record.
    """
    copy = record("ar-copy", AR_COPY_TITLE, AR_COPY_TEXT, section="محليات")
    lines = [
        f'{{"id":"ar-spa","title":"{AR_TITLE}","text":"{AR_TEXT.replace(chr(10), chr(92) + "n")}"}}',
        "",
        f'  {{  "text" : {json.dumps(EN_TEXT)} ,\t"id": "en-reuters", "title": {json.dumps(EN_TITLE)} }}  ',
        json.dumps(copy),  # \u escapes: a dropped copy of ar-spa
        '{"id": "broken", "text": "unterminated',
        "[1, 2, 3]",
        '"just a string"',
        '{"id": "no-text", "body": "the text is under another name", "tags": []}',
        "   ",
        json.dumps(record("en-budget", EN_UNRELATED_TITLE, EN_UNRELATED_TEXT + "\u2028Ends."), ensure_ascii=False)
        + "\r",
        json.dumps(record("en-copy", EN_COPY_TITLE, EN_COPY_TEXT), ensure_ascii=False),  # dropped copy
    ]
    final = {
        "kept": json.dumps(record("ar-other", AR_OTHER_TITLE, AR_OTHER_TEXT), ensure_ascii=False, indent=None),
        "dropped": json.dumps(record("en-reuters-2", EN_TITLE, EN_TEXT), ensure_ascii=False),  # an exact copy
        "passed": '{"id": "cut off by a full disk", "text": "',
    }[last]
    return ("\n".join(lines) + "\n" + final).encode("utf-8")


def _lines(data: bytes) -> list[bytes]:
    return re.findall(rb"[^\n]*\n|[^\n]+$", data)


@pytest.mark.parametrize("last", ["kept", "dropped", "passed"])
@pytest.mark.parametrize("output", ["unique.jsonl", "unique.jsonl.gz", "unique-dir"])
def test_remove_then_restore_gives_back_every_input_line_byte_for_byte(tmp_path: Path, output: str, last: str) -> None:
    src = tmp_path / "in" / "feed.jsonl"
    src.parent.mkdir()
    src.write_bytes(_odd_jsonl(last))
    out = tmp_path / output
    summary = remove([str(src)], out, _pipeline())
    written = out / "feed.jsonl" if out.is_dir() else out
    data = gzip.decompress(written.read_bytes()) if output.endswith(".gz") else written.read_bytes()
    manifest = json.loads(Path(summary.manifest).read_text(encoding="utf-8"))
    dropped = {e["id"] for e in manifest["dropped"]}
    assert "ar-copy" in dropped and ("en-reuters-2" in dropped) == (last == "dropped")
    # Nothing lost: every input line is in the output or in the manifest, exactly as read (its newline included).
    in_manifest = [e["line"].encode() for e in manifest["dropped"]]
    assert sorted(_lines(data) + in_manifest) == sorted(_lines(src.read_bytes()))
    # 4 lines are not documents (malformed JSON, a list, a string, no text field), 5 with a cut-off last line.
    assert summary.passed_through == (5 if last == "passed" else 4)
    assert summary.documents == (5 if last == "passed" else 6)
    assert summary.kept + summary.dropped == summary.documents and summary.lost == 0
    restore(summary.manifest)
    data = gzip.decompress(written.read_bytes()) if output.endswith(".gz") else written.read_bytes()
    assert data == src.read_bytes()


def test_the_summary_counts_every_record(tmp_path: Path) -> None:
    # 17 records: 8 documents (two of them copies) and 9 lines that are not documents. The old summary said
    # "kept 8 of 8 documents" and the 9 were in neither the output nor the manifest.
    rows = [*corpus_records(), record("en-copy-2", EN_COPY_TITLE, EN_COPY_TEXT)]
    bad = ['{"id": 1', "[]", "null", "42", '"text"', '{"id": "x"}', '{"id": "y", "text": 7}', '{"html": 3}', "{"]
    lines = [json.dumps(r, ensure_ascii=False) for r in rows]
    mixed = [line for pair in zip(lines, bad) for line in pair] + bad[len(lines) :]
    src = tmp_path / "feed.jsonl"
    src.write_text("\n".join(mixed) + "\n", encoding="utf-8")
    out = tmp_path / "unique.jsonl"
    summary = remove([str(src)], out, _pipeline())
    assert (summary.documents, summary.kept, summary.dropped, summary.passed_through) == (8, 5, 3, 9)
    assert len(out.read_text(encoding="utf-8").split("\n")) - 1 == 5 + 9
    restore(summary.manifest)
    assert out.read_bytes() == src.read_bytes()


def test_several_jsonl_inputs_into_a_directory_each_come_back_byte_for_byte(tmp_path: Path) -> None:
    d = tmp_path / "feeds"
    d.mkdir()
    (d / "saba.jsonl").write_bytes(_odd_jsonl("dropped"))
    (d / "spa.jsonl.gz").write_bytes(gzip.compress(_odd_jsonl("kept").replace(b'"id": "', b'"id": "spa-')))
    write_txt(d / "okaz" / "aden.txt", AR_COPY_TITLE, AR_COPY_TEXT)
    before = tree_hashes(d)
    out = tmp_path / "unique"
    summary = remove([str(d)], out, _pipeline())
    assert summary.passed_through == 8
    assert tree_hashes(d) == before
    restore(summary.manifest)
    assert (out / "saba.jsonl").read_bytes() == (d / "saba.jsonl").read_bytes()
    assert gzip.decompress((out / "spa.jsonl.gz").read_bytes()) == gzip.decompress((d / "spa.jsonl.gz").read_bytes())
    assert (out / "okaz" / "aden.txt").read_bytes() == (d / "okaz" / "aden.txt").read_bytes()


@pytest.mark.parametrize("name", ["feed.jsonl", "feed.jsonl.gz"])
def test_a_line_over_the_size_limit_is_copied_through_by_streaming(
    tmp_path: Path, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dedup.io.read, "MAX_DOCUMENT_BYTES", 8192)
    huge = json.dumps(record("dump", EN_TITLE, EN_TEXT * 40), ensure_ascii=False)
    data = jsonl_text(corpus_records()[:4]) + huge + "\n" + jsonl_text(corpus_records()[4:])
    src = tmp_path / name
    src.write_bytes(gzip.compress(data.encode()) if name.endswith(".gz") else data.encode())
    for output in ("unique.jsonl", "unique-dir"):
        out = tmp_path / output
        summary = remove([str(src)], out, _pipeline())
        assert (summary.passed_through, summary.lost, summary.dropped) == (1, 0, 2)
        written = out / name if out.is_dir() else out
        text = (
            gzip.decompress(written.read_bytes()) if written.name.endswith(".gz") else written.read_bytes()
        ).decode()
        assert huge + "\n" in text
        restore(summary.manifest)
        text = (
            gzip.decompress(written.read_bytes()) if written.name.endswith(".gz") else written.read_bytes()
        ).decode()
        assert text == data


def test_an_over_long_line_of_a_utf16_file_is_reported_lost(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dedup.io.read, "MAX_DOCUMENT_BYTES", 8192)
    huge = json.dumps(record("dump", EN_TITLE, EN_TEXT * 40))
    src = tmp_path / "export.jsonl"
    src.write_bytes(
        (jsonl_text(corpus_records()[:2]) + huge + "\n" + jsonl_text(corpus_records()[2:])).encode("utf-16")
    )
    out = tmp_path / "unique.jsonl"
    summary = remove([str(src)], out, _pipeline())
    assert (summary.documents, summary.dropped, summary.passed_through, summary.lost) == (7, 2, 1, 1)
    manifest = json.loads(Path(summary.manifest).read_text(encoding="utf-8"))
    assert manifest["lost"] == [
        {
            "origin": f"{src}:3",
            "jsonl": "",
            "index": 2,
            "reason": f"record too large ({len(huge) + 1} bytes > 8192); line skipped",
        }
    ]
    restore(summary.manifest)
    assert out.read_text(encoding="utf-8") == jsonl_text(corpus_records())  # all but the lost line, as UTF-8


def test_windows_1256_records_are_written_as_utf8(tmp_path: Path) -> None:
    rows = [
        record("spa", AR_TITLE, AR_TEXT),
        record("okaz", AR_COPY_TITLE, AR_COPY_TEXT),
        record("adengad", AR_OTHER_TITLE, AR_OTHER_TEXT),
    ]
    src = tmp_path / "legacy.jsonl"
    src.write_bytes(jsonl_text(rows).encode("windows-1256", "replace"))
    out = tmp_path / "unique.jsonl"
    summary = remove([str(src)], out, _pipeline())
    assert (summary.kept, summary.dropped) == (2, 1)
    assert [r["id"] for r in read_jsonl(out)] == ["spa", "adengad"]
    restore(summary.manifest)
    assert out.read_bytes() == src.read_bytes().decode("windows-1256").encode("utf-8")


def test_restore_reads_a_version_1_manifest(corpus_jsonl: Path, tmp_path: Path) -> None:
    out = tmp_path / "unique.jsonl"
    summary = remove([str(corpus_jsonl)], out, _pipeline())
    manifest = json.loads(Path(summary.manifest).read_text(encoding="utf-8"))
    manifest["manifest_version"] = 1
    for entry in manifest["dropped"]:
        entry["record"] = json.loads(entry.pop("line"))
    Path(summary.manifest).write_text(json.dumps(manifest), encoding="utf-8")
    restore(summary.manifest)
    assert out.read_bytes() == corpus_jsonl.read_bytes()


def test_web_archive_into_a_directory_output(tmp_path: Path) -> None:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    src = tmp_path / "crawl.warc.gz"
    with open(src, "wb") as f:
        writer = WARCWriter(f, gzip=True)
        for i, (title, text) in enumerate([(AR_TITLE, AR_TEXT), (AR_COPY_TITLE, AR_COPY_TEXT), (EN_TITLE, EN_TEXT)]):
            body = f"<html><body><h1>{title}</h1>" + "".join(f"<p>{p}</p>" for p in text.split("\n\n"))
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            writer.write_record(
                writer.create_warc_record(
                    f"https://www.saba.ye/ar/news/{i}",
                    "response",
                    payload=io.BytesIO(body.encode()),
                    http_headers=headers,
                )
            )
    out = tmp_path / "unique"
    summary = remove([str(src)], out, _pipeline())
    assert sorted(p.name for p in out.iterdir()) == ["crawl.jsonl"]
    assert [r["id"] for r in read_jsonl(out / "crawl.jsonl")] == [
        "https://www.saba.ye/ar/news/0",
        "https://www.saba.ye/ar/news/2",
    ]
    restore(summary.manifest)
    assert len(read_jsonl(out / "crawl.jsonl")) == 3


# -- outputs: permissions, and never an input by another name -----------------------------------------------------


@pytest.mark.parametrize("output", ["unique.jsonl", "unique-dir"])
def test_outputs_honour_the_umask(txt_dir: Path, corpus_jsonl: Path, tmp_path: Path, output: str) -> None:
    old = os.umask(0o022)
    try:
        summary = remove([str(txt_dir), str(corpus_jsonl)], tmp_path / "out" / output, _pipeline())
    finally:
        os.umask(old)
    out = Path(summary.output)
    modes = {
        str(p.relative_to(tmp_path)): stat.S_IMODE(p.stat().st_mode)
        for p in [out, *out.rglob("*"), Path(summary.manifest)]
    }
    assert modes and all(mode == (0o755 if (tmp_path / p).is_dir() else 0o644) for p, mode in modes.items()), modes


def test_refuses_an_output_that_is_an_input_by_another_name(
    corpus_jsonl: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    os.link(corpus_jsonl, tmp_path / "hardlink.jsonl")
    (tmp_path / "symlink.jsonl").symlink_to(corpus_jsonl)
    before = tree_hashes(corpus_jsonl)
    for output, manifest in [
        ("hardlink.jsonl", None),
        ("symlink.jsonl", None),
        ("./news.jsonl", None),
        ("out.jsonl", "hardlink.jsonl"),
        ("out.jsonl", "./news.jsonl"),
    ]:
        extra = ["--manifest", manifest] if manifest else []
        result = run("remove", "news.jsonl", "-o", output, *extra)
        assert result.exit_code == 2, (output, manifest, result.output)
        (line,) = error_lines(result)
        assert "would overwrite input news.jsonl" in line, line
        assert tree_hashes(corpus_jsonl) == before
    assert not (tmp_path / "out.jsonl").exists()
