"""``dedup remove`` and ``dedup restore``: outputs, manifests, untouched inputs, refusals and exact undo."""

from __future__ import annotations

import base64
import gzip
import json
from pathlib import Path

import pytest
from conftest import (
    AR_COPY_TEXT,
    AR_COPY_TITLE,
    AR_TEXT,
    AR_TITLE,
    EN_TEXT,
    EN_TITLE,
    corpus_records,
    read_jsonl,
    record,
    tree_hashes,
    write_jsonl,
    write_txt,
)
from typer.testing import CliRunner

from dedup.cli import app

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
    assert dropped["ar-copy"]["record"] == originals["ar-copy"]  # the section field included
    assert 0.5 <= dropped["en-copy"]["similarity"] < 1.0


def test_remove_and_restore_give_back_the_input_records(corpus_jsonl: Path, tmp_path: Path) -> None:
    out = tmp_path / "unique.jsonl"
    assert run("remove", str(corpus_jsonl), "-o", str(out), "-q").exit_code == 0
    result = run("restore", str(tmp_path / "unique.jsonl.manifest.json"))
    assert result.exit_code == 0, result.output
    assert "restored 2 documents" in result.stderr
    assert read_jsonl(out) == corpus_records()


def test_restore_equals_a_remove_that_dropped_nothing(tmp_path: Path) -> None:
    # Text files become {id, title, text, source} records of their cleaned text; restore must put the dropped
    # ones back exactly as a run that dropped nothing would have written them.
    d = tmp_path / "scraped"
    write_txt(d / "saba" / "aden.txt", AR_TITLE, AR_TEXT + "\nشارك الخبر")
    write_txt(d / "spa" / "aden.txt", AR_COPY_TITLE, AR_COPY_TEXT)
    write_txt(d / "reuters" / "strike.txt", EN_TITLE, EN_TEXT)
    out, everything = tmp_path / "unique.jsonl", tmp_path / "all.jsonl"
    assert run("remove", str(d), "-o", str(out), "--no-site-boilerplate").exit_code == 0
    assert [r["id"] for r in read_jsonl(out)] == ["reuters/strike.txt", "saba/aden.txt"]
    # Nothing is a duplicate at the highest thresholds but exact copies, and there are none here.
    assert run("remove", str(d), "-o", str(everything), "-t", "1.0", "--containment", "1.0",
               "--no-site-boilerplate").exit_code == 0
    assert len(read_jsonl(everything)) == 3
    assert run("restore", str(tmp_path / "unique.jsonl.manifest.json")).exit_code == 0
    assert read_jsonl(out) == read_jsonl(everything)
    restored = {r["id"]: r for r in read_jsonl(out)}
    assert restored["spa/aden.txt"]["title"] == AR_COPY_TITLE
    assert restored["spa/aden.txt"]["source"] == "spa"
    assert "شارك الخبر" not in restored["saba/aden.txt"]["text"]


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


def test_restore_from_another_working_directory(corpus_jsonl: Path, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
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


def test_remove_directory_and_jsonl_into_directory_then_restore(txt_dir: Path, corpus_jsonl: Path,
                                                                tmp_path: Path) -> None:
    before = {**tree_hashes(txt_dir), **tree_hashes(corpus_jsonl)}
    out = tmp_path / "unique"
    result = run("remove", str(txt_dir), str(corpus_jsonl), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert {**tree_hashes(txt_dir), **tree_hashes(corpus_jsonl)} == before
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    # Directory files are read in sorted order: okaz/ (the copy) is the first of the story and survives; the
    # saba original and both JSONL records of the story are dropped as its duplicates.
    assert files == ["adengad/hospital.txt", "news.jsonl", "okaz/aden-plane-copy.txt"]
    assert (out / "okaz" / "aden-plane-copy.txt").read_bytes() == (txt_dir / "okaz" / "aden-plane-copy.txt").read_bytes()
    kept_ids = [r["id"] for r in read_jsonl(out / "news.jsonl")]
    assert "ar-spa" not in kept_ids and "ar-copy" not in kept_ids and "en-copy" not in kept_ids
    # ar-other has the same title and text as adengad/hospital.txt, which comes first: an exact copy.
    assert "ar-other" not in kept_ids
    assert kept_ids == ["en-reuters", "en-other", "en-budget"]
    manifest = json.loads((tmp_path / "unique.manifest.json").read_text(encoding="utf-8"))
    assert manifest["output_kind"] == "directory"
    by_id = {e["id"]: e for e in manifest["dropped"]}
    assert base64.b64decode(by_id["saba/aden-plane.txt"]["content_b64"]) == \
        (txt_dir / "saba" / "aden-plane.txt").read_bytes()
    assert run("restore", str(tmp_path / "unique.manifest.json")).exit_code == 0
    # Restored: the txt files byte for byte, the JSONL file record for record.
    for path in txt_dir.rglob("*.txt"):
        assert (out / path.relative_to(txt_dir)).read_bytes() == path.read_bytes()
    assert read_jsonl(out / "news.jsonl") == corpus_records()


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


def test_bad_lines_are_skipped_in_remove_output_but_reported(tmp_path: Path) -> None:
    rows = [record("a", EN_TITLE, EN_TEXT, source="reuters.com"), record("b", EN_TITLE, EN_TEXT, source="x.com")]
    path = tmp_path / "n.jsonl"
    path.write_text(json.dumps(rows[0]) + "\n[1]\n" + json.dumps(rows[1]) + "\n", encoding="utf-8")
    out = tmp_path / "u.jsonl"
    result = run("remove", str(path), "-o", str(out))
    assert result.exit_code == 0
    assert error_lines(result)[0] == f"dedup: warning: {path}:2: expected a JSON object; line skipped"
    assert read_jsonl(out) == [rows[0]]


def test_remove_to_gzipped_jsonl_output(corpus_jsonl: Path, tmp_path: Path) -> None:
    out = tmp_path / "unique.jsonl.gz"
    assert run("remove", str(corpus_jsonl), "-o", str(out)).exit_code == 0
    assert out.is_file()  # a file, not a directory named .jsonl.gz
    with gzip.open(out, "rt", encoding="utf-8") as f:
        assert [json.loads(line)["id"] for line in f] == [r["id"] for r in corpus_records() if r["id"] not in DROPPED]
    assert run("restore", str(tmp_path / "unique.jsonl.gz.manifest.json")).exit_code == 0
    with gzip.open(out, "rt", encoding="utf-8") as f:
        assert [json.loads(line) for line in f] == corpus_records()


def test_files_named_by_absolute_or_parent_path_go_inside_the_output(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
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
