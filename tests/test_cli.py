"""The ``dedup`` command end to end through typer's CliRunner: scan, clean, check, inputs, settings and bad input.

stdout carries only machine-readable output (reports, JSONL); warnings and errors are one line each on stderr.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
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
    EN_TEXT,
    EN_TITLE,
    corpus_records,
    jsonl_text,
    record,
    write_jsonl,
    write_txt,
)
from typer.testing import CliRunner

import dedup.io.read
from dedup.cli import app

# The two duplicate pairs of corpus_records(), as sets of ids; nothing else may be clustered.
EXPECTED_PAIRS = [{"ar-spa", "ar-copy"}, {"en-reuters", "en-copy"}]


def run(*args: str, input: str | bytes | None = None):
    result = CliRunner().invoke(app, list(args), input=input)
    # No command may ever end in a traceback, whatever it was given.
    assert "Traceback" not in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


def clusters_of(report: dict) -> list[set[str]]:
    return [{m["id"] for m in c["members"]} for c in report["clusters"]]


def error_lines(result) -> list[str]:
    return [ln for ln in result.stderr.splitlines() if ln.strip()]


# -- scan: report formats -------------------------------------------------------------------------------------


def test_scan_json_report_has_the_documented_shape(corpus_jsonl: Path) -> None:
    result = run("scan", str(corpus_jsonl), "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert set(report) == {"documents", "clusters"}
    assert report["documents"] == 7
    # Exactly the two republications, the independent same-event stories in neither.
    assert sorted(clusters_of(report), key=sorted) == sorted(EXPECTED_PAIRS, key=sorted)
    titles = {r["id"]: r["title"] for r in corpus_records()}
    for k, cluster in enumerate(report["clusters"], start=1):
        assert set(cluster) == {"id", "keep", "members"}
        assert cluster["id"] == k
        assert len(cluster["members"]) >= 2
        first, *rest = cluster["members"]
        assert first == {
            "id": cluster["keep"],
            "similarity": 1.0,
            "source": first["source"],
            "title": titles[cluster["keep"]],
            "relation": "kept",
        }
        for m in rest:
            assert set(m) == {"id", "similarity", "source", "title", "relation"}
            assert m["relation"] in ("copy", "contained")
            assert m["title"] == titles[m["id"]]
            # A copy with a dropped paragraph and other spellings is similar, but not identical.
            assert 0.5 <= m["similarity"] < 1.0
    # keep=first: the earlier record in the file survives; sources come from the url host without "www.".
    by_keep = {c["keep"]: c for c in report["clusters"]}
    assert set(by_keep) == {"ar-spa", "en-reuters"}
    assert by_keep["ar-spa"]["members"][0]["source"] == "saba.ye"
    assert by_keep["ar-spa"]["members"][1]["source"] == "okaz.com.sa"


def test_identical_copy_has_similarity_one_and_singletons_are_not_reported(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "n.jsonl",
        [
            record("a", EN_TITLE, EN_TEXT, source="reuters.com"),
            record("b", EN_TITLE, EN_TEXT, url="https://uk.news.yahoo.com/x"),
            record("c", AR_OTHER_TITLE, AR_OTHER_TEXT, source="adengad.net"),
        ],
    )
    report = json.loads(run("scan", str(path), "-f", "json").stdout)
    assert report == {
        "documents": 3,
        "clusters": [
            {
                "id": 1,
                "keep": "a",
                "members": [
                    {"id": "a", "similarity": 1.0, "source": "reuters.com", "title": EN_TITLE, "relation": "kept"},
                    {
                        "id": "b",
                        "similarity": 1.0,
                        "source": "uk.news.yahoo.com",
                        "title": EN_TITLE,
                        "relation": "copy",
                    },
                ],
            }
        ],
    }


def test_scan_csv_has_one_row_per_member(corpus_jsonl: Path) -> None:
    result = run("scan", str(corpus_jsonl), "--format", "csv")
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == ["cluster", "keep", "id", "similarity", "source", "date", "title"]
    assert len(rows) == 4
    en = [r for r in rows if r["keep"] == "en-reuters"]
    assert [r["id"] for r in en] == ["en-reuters", "en-copy"]
    assert en[0]["similarity"] == "1.0000"
    assert en[1]["date"] == "2024-08-22"
    assert en[0]["title"] == EN_TITLE  # the comma in the title survives CSV quoting


def test_scan_table_names_the_kept_copy_and_the_duplicate(corpus_jsonl: Path) -> None:
    result = run("scan", str(corpus_jsonl))
    assert result.exit_code == 0
    out = result.stdout
    assert "2 clusters of near-duplicates in 7 documents" in out
    assert "ar-copy" in out and "en-copy" in out
    assert "ar-other" not in out and "en-other" not in out and "en-budget" not in out


@pytest.mark.parametrize("fmt", ["json", "csv", "table"])
def test_scan_output_file_instead_of_stdout(corpus_jsonl: Path, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / "reports" / f"clusters.{fmt}"
    result = run("scan", str(corpus_jsonl), "-f", fmt, "-o", str(out))
    assert result.exit_code == 0
    assert result.stdout == ""
    text = out.read_text(encoding="utf-8")
    assert "en-copy" in text and "ar-copy" in text
    if fmt == "json":
        assert json.loads(text)["documents"] == 7


def test_threshold_and_containment_options_change_what_is_a_duplicate(corpus_jsonl: Path) -> None:
    # The copies dropped a paragraph: their Jaccard similarity is well under 0.9 and their containment
    # under 0.95, so raising both thresholds leaves nothing; lowering them must not merge distinct stories.
    strict = json.loads(
        run("scan", str(corpus_jsonl), "-f", "json", "--threshold", "0.95", "--containment", "0.95").stdout
    )
    assert strict["clusters"] == []
    loose = json.loads(run("scan", str(corpus_jsonl), "-f", "json", "-t", "0.3").stdout)
    assert sorted(clusters_of(loose), key=sorted) == sorted(EXPECTED_PAIRS, key=sorted)


def test_threshold_out_of_range_is_a_usage_error(corpus_jsonl: Path) -> None:
    result = run("scan", str(corpus_jsonl), "--threshold", "1.5")
    assert result.exit_code == 2
    assert "threshold" in result.stderr


# -- scan: which copy survives ----------------------------------------------------------------------------------


def keeps(path: Path, *options: str) -> dict[str, str]:
    """{member id: kept id} for every clustered document."""
    report = json.loads(run("scan", str(path), "-f", "json", *options).stdout)
    return {m["id"]: c["keep"] for c in report["clusters"] for m in c["members"]}


def test_keep_policies(corpus_jsonl: Path) -> None:
    assert keeps(corpus_jsonl, "--keep", "first") == {
        "ar-spa": "ar-spa",
        "ar-copy": "ar-spa",
        "en-reuters": "en-reuters",
        "en-copy": "en-reuters",
    }
    # The originals are longer (the copies dropped a paragraph).
    assert keeps(corpus_jsonl, "--keep", "longest")["ar-copy"] == "ar-spa"
    assert keeps(corpus_jsonl, "--keep", "longest")["en-copy"] == "en-reuters"
    # ar-copy is dated a day before ar-spa; en-copy a day after en-reuters.
    earliest = keeps(corpus_jsonl, "--keep", "earliest")
    assert earliest["ar-spa"] == "ar-copy" and earliest["en-copy"] == "en-reuters"
    source = keeps(corpus_jsonl, "--keep", "source", "--prefer", "marinelink.com,okaz.com.sa")
    assert source["en-reuters"] == "en-copy" and source["ar-spa"] == "ar-copy"


def test_keep_source_prefer_order_matters(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "n.jsonl",
        [
            record("a", EN_TITLE, EN_TEXT, source="reuters.com"),
            record("b", EN_TITLE, EN_COPY_TEXT, source="marinelink.com"),
        ],
    )
    assert keeps(path, "--keep", "source", "--prefer", "reuters.com, marinelink.com")["b"] == "a"
    assert keeps(path, "--keep", "source", "--prefer", "marinelink.com,reuters.com")["a"] == "b"


def test_keep_rejects_an_unknown_policy(corpus_jsonl: Path) -> None:
    result = run("scan", str(corpus_jsonl), "--keep", "newest")
    assert result.exit_code == 2
    assert "newest" in result.stderr


# -- field names -----------------------------------------------------------------------------------------------


def test_field_name_options(tmp_path: Path) -> None:
    rows = [
        {
            "uid": f"n{i}",
            "headline": r["title"],
            "body": r["text"],
            "link": r.get("url"),
            "published": r.get("date"),
            "text": "decoy text that is the same in every row of this file",
        }
        for i, r in enumerate(corpus_records())
    ]
    path = tmp_path / "custom.jsonl"
    path.write_text(jsonl_text(rows), encoding="utf-8")
    # Reading the decoy "text" field: every row is the same text, so all seven cluster together.
    # (Site boilerplate off: with no url read, all rows are one site and the repeated line would be learned.)
    decoy = json.loads(run("scan", str(path), "-f", "json", "--id-field", "uid", "--no-site-boilerplate").stdout)
    assert [len(c["members"]) for c in decoy["clusters"]] == [7]
    result = run(
        "scan",
        str(path),
        "-f",
        "json",
        "--id-field",
        "uid",
        "--text-field",
        "body",
        "--title-field",
        "headline",
        "--url-field",
        "link",
        "--date-field",
        "published",
    )
    report = json.loads(result.stdout)
    assert sorted(clusters_of(report), key=sorted) == [{"n0", "n3"}, {"n1", "n5"}]
    member = next(m for c in report["clusters"] for m in c["members"] if m["id"] == "n3")
    assert member["title"] == AR_COPY_TITLE and member["source"] == "okaz.com.sa"
    # --date-field: with the dates read, --keep earliest keeps the copy dated a day earlier.
    early = json.loads(
        run(
            "scan",
            str(path),
            "-f",
            "json",
            "--id-field",
            "uid",
            "--text-field",
            "body",
            "--date-field",
            "published",
            "--keep",
            "earliest",
        ).stdout
    )
    assert {c["keep"] for c in early["clusters"]} == {"n3", "n1"}


def test_missing_text_field_warns_per_line(corpus_jsonl: Path) -> None:
    result = run("scan", str(corpus_jsonl), "-f", "json", "--text-field", "body")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["documents"] == 0
    lines = error_lines(result)
    assert len(lines) == 7
    assert lines[0] == f"dedup: warning: {corpus_jsonl}:1: no 'body' or 'html' string field; line skipped"


# -- inputs: stdin, gzip, mixed ------------------------------------------------------------------------------------


def test_jsonl_on_stdin(corpus_jsonl: Path) -> None:
    result = run("scan", "-", "-f", "json", input=corpus_jsonl.read_text(encoding="utf-8"))
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["documents"] == 7
    assert sorted(clusters_of(report), key=sorted) == sorted(EXPECTED_PAIRS, key=sorted)


def test_stdin_problems_are_reported_as_stdin_with_line() -> None:
    data = jsonl_text([record("a", EN_TITLE, EN_TEXT)]) + "{not json}\n" + jsonl_text([record("b", EN_TITLE, EN_TEXT)])
    result = run("scan", "-", "-f", "json", input=data)
    assert result.exit_code == 0
    assert json.loads(result.stdout)["documents"] == 2
    (line,) = error_lines(result)
    assert line.startswith("dedup: warning: <stdin>:2: malformed JSON")
    assert "dedup-stdin" not in result.stderr  # the spool file's name never leaks


def test_gzipped_jsonl_input(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "news.jsonl.gz", corpus_records())
    assert path.read_bytes()[:2] == b"\x1f\x8b"
    report = json.loads(run("scan", str(path), "-f", "json").stdout)
    assert report["documents"] == 7
    assert sorted(clusters_of(report), key=sorted) == sorted(EXPECTED_PAIRS, key=sorted)


def test_directory_of_txt_and_a_jsonl_on_one_command_line(
    txt_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # ids are paths relative to the working directory
    jsonl = write_jsonl(tmp_path / "wire.jsonl", [record("wire-1", AR_TITLE, AR_TEXT, source="saba.ye")])
    result = run("scan", str(txt_dir), str(jsonl), "-f", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["documents"] == 4
    # The txt copy, the txt original and the JSONL record are one story; the hospital piece is not.
    # Directory files are read in sorted path order: okaz/ comes first and is kept with --keep first.
    assert clusters_of(report) == [{"scraped/okaz/aden-plane-copy.txt", "scraped/saba/aden-plane.txt", "wire-1"}]
    assert report["clusters"][0]["keep"] == "scraped/okaz/aden-plane-copy.txt"
    members = {m["id"]: m for m in report["clusters"][0]["members"]}
    # A .txt file's first line is its title, its folder its source.
    assert members["scraped/saba/aden-plane.txt"]["title"] == AR_TITLE
    assert members["scraped/saba/aden-plane.txt"]["source"] == "saba"
    # The JSONL record is an exact copy of the txt original, so both measure the same against the kept copy.
    assert members["wire-1"]["similarity"] == members["scraped/saba/aden-plane.txt"]["similarity"] < 1.0


# -- settings files ----------------------------------------------------------------------------------------------


def test_settings_from_dedup_toml(corpus_jsonl: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    work = tmp_path / "proj"
    work.mkdir()
    (work / "dedup.toml").write_text("threshold = 0.95\ncontainment = 0.95\n", encoding="utf-8")
    monkeypatch.chdir(work)
    assert json.loads(run("scan", str(corpus_jsonl), "-f", "json").stdout)["clusters"] == []
    # The command line overrides the file.
    overridden = json.loads(run("scan", str(corpus_jsonl), "-f", "json", "--containment", "0.8").stdout)
    assert len(overridden["clusters"]) == 2


def test_settings_from_pyproject_tool_dedup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = [{"key": r["id"], "body": r["text"], "published": r["date"], "url": r["url"]} for r in corpus_records()]
    (tmp_path / "n.jsonl").write_text(jsonl_text(rows), encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.dedup]\nid-field = "key"\ntext-field = "body"\ndate_field = "published"\n'
        'keep = "earliest"\n',
        encoding="utf-8",
    )
    sub = tmp_path / "sub"
    sub.mkdir()
    monkeypatch.chdir(sub)  # found from the working directory upwards
    result = run("scan", "../n.jsonl", "-f", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert {c["keep"] for c in report["clusters"]} == {"ar-copy", "en-reuters"}


def test_bad_settings_file_is_one_line_error(
    corpus_jsonl: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "dedup.toml").write_text("treshold = 0.7\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = run("scan", str(corpus_jsonl))
    assert result.exit_code == 2
    (line,) = error_lines(result)
    assert "dedup.toml" in line and "treshold" in line


# -- clean -------------------------------------------------------------------------------------------------------


def test_clean_explain_lists_removed_lines_and_rules(tmp_path: Path) -> None:
    text = "\n".join(
        [
            "LONDON (Reuters) -",
            EN_TEXT.split("\n\n")[1],
            "Share this article",
            EN_TEXT.split("\n\n")[2],
            "Read more: Felixstowe strike talks collapse",
        ]
    )
    ar = "\n".join([AR_OTHER_TEXT.split("\n\n")[0], "اقرأ أيضاً:", "الحكومة تعلن موعد صرف الرواتب", "", "شارك الخبر"])
    path = write_jsonl(
        tmp_path / "n.jsonl",
        [
            record("en", EN_TITLE, text, source="reuters.com", section="UK"),
            record("ar", AR_OTHER_TITLE, ar, source="adengad.net"),
        ],
    )
    out = tmp_path / "clean.jsonl"
    result = run("clean", str(path), "-o", str(out), "--explain", "--no-site-boilerplate")
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert "cleaned 2 documents" in result.stderr
    docs = {d["id"]: d for d in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    en = docs["en"]
    assert "Share this article" not in en["text"] and "Read more" not in en["text"]
    assert EN_TEXT.split("\n\n")[2] in en["text"]
    assert en["title"] == EN_TITLE and en["source"] == "reuters.com" and en["section"] == "UK"
    removed = {r["text"]: r["rule"] for r in en["removed"]}
    assert removed == {
        "Share this article": "pattern:share-bar",
        "Read more: Felixstowe strike talks collapse": "pattern:read-also-inline",
    }
    ar_removed = {r["text"]: r["rule"] for r in docs["ar"]["removed"]}
    assert "اقرأ أيضاً:" in ar_removed and "شارك الخبر" in ar_removed
    assert docs["ar"]["text"] == AR_OTHER_TEXT.split("\n\n")[0]


def test_clean_without_explain_to_stdout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_txt(tmp_path / "a.txt", EN_TITLE, EN_TEXT + "\nShare this article")
    monkeypatch.chdir(tmp_path)
    result = run("clean", "a.txt", "-q")
    assert result.exit_code == 0
    assert result.stderr == ""
    (doc,) = [json.loads(ln) for ln in result.stdout.splitlines()]
    assert set(doc) == {"id", "title", "text", "source"}
    assert doc["id"] == "a.txt" and doc["title"] == EN_TITLE
    assert doc["text"].endswith(EN_TEXT.split("\n\n")[-1])


def test_clean_html_explain_lists_html_removals_and_plain_clean_gives_the_same_text(tmp_path: Path) -> None:
    # Without --explain the extractor skips listing what it removed; the cleaned text must not change.
    template = Path(__file__).resolve().parent.parent / "fixtures" / "templates" / "ar-wordpress-jannah.html"
    page = tmp_path / "page.html"
    page.write_bytes(template.read_bytes())
    explained, plain = tmp_path / "explained.jsonl", tmp_path / "plain.jsonl"
    assert run("clean", str(page), "-o", str(explained), "--explain", "-q").exit_code == 0
    assert run("clean", str(page), "-o", str(plain), "-q").exit_code == 0
    (full,) = map(json.loads, explained.read_text(encoding="utf-8").splitlines())
    (lean,) = map(json.loads, plain.read_text(encoding="utf-8").splitlines())
    assert len(full["text"]) > 500
    assert (lean["title"], lean["text"]) == (full["title"], full["text"])
    assert "removed" not in lean
    assert any(r["rule"].startswith("html:") for r in full["removed"])


# -- check -------------------------------------------------------------------------------------------------------


def test_check_fails_and_lists_duplicates(corpus_jsonl: Path) -> None:
    result = run("check", str(corpus_jsonl))
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("duplicate: ar-copy ~ ar-spa (similarity 0.")
    assert lines[1].startswith("duplicate: en-copy ~ en-reuters (similarity 0.")


def test_check_passes_after_remove(corpus_jsonl: Path, tmp_path: Path) -> None:
    out = tmp_path / "unique.jsonl"
    assert run("remove", str(corpus_jsonl), "-o", str(out)).exit_code == 0
    result = run("check", str(out))
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert "5 documents, no near-duplicates" in result.stderr


@pytest.mark.parametrize("line", ["Share this article", "اقرأ أيضاً: مركز الملك سلمان يوزع سلالاً غذائية في مأرب"])
def test_check_boilerplate_flags_the_document(tmp_path: Path, line: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    d = tmp_path / "corpus"
    write_txt(d / "clean.txt", EN_TITLE, EN_TEXT)
    write_txt(d / "dirty.txt", AR_OTHER_TITLE, AR_OTHER_TEXT + "\n" + line)
    assert run("check", str(d)).exit_code == 0  # no duplicates, boilerplate not asked for
    result = run("check", str(d), "--boilerplate")
    assert result.exit_code == 1
    (flag,) = result.stdout.splitlines()
    assert flag.startswith("boilerplate: corpus/dirty.txt: 1 lines, e.g. pattern:")


# -- bad input: one line on stderr naming the file, no traceback --------------------------------------------------


@pytest.mark.parametrize("command", ["scan", "clean", "check"])
def test_missing_path_exits_2(tmp_path: Path, command: str) -> None:
    missing = tmp_path / "nowhere" / "news.jsonl"
    result = run(command, str(missing))
    assert result.exit_code == 2
    assert error_lines(result) == [f"dedup: error: {missing}: no such file or directory"]
    assert result.stdout == ""


def test_missing_path_is_reported_before_anything_is_read(corpus_jsonl: Path, tmp_path: Path) -> None:
    result = run("scan", str(corpus_jsonl), str(tmp_path / "typo.jsonl"), "-f", "json")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "typo.jsonl: no such file or directory" in result.stderr


def test_binary_file_in_directory_is_skipped_with_warning(txt_dir: Path) -> None:
    # A PDF saved under a .txt name by a scraper.
    (txt_dir / "saba" / "scan.txt").write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\x00\x00<< /Type /Catalog >>")
    result = run("scan", str(txt_dir), "-f", "json")
    assert result.exit_code == 0
    assert error_lines(result) == [f"dedup: warning: {txt_dir / 'saba' / 'scan.txt'}: binary file, not text; skipped"]
    report = json.loads(result.stdout)
    assert report["documents"] == 3
    assert len(report["clusters"]) == 1


def test_windows_1256_txt_is_decoded_and_compared(txt_dir: Path) -> None:
    legacy = txt_dir / "legacy" / "cp1256.txt"
    legacy.parent.mkdir()
    legacy.write_bytes((AR_TITLE + "\n" + AR_TEXT).encode("cp1256", errors="replace"))
    result = run("scan", str(txt_dir), "-f", "json")
    assert result.exit_code == 0
    assert error_lines(result) == []
    report = json.loads(result.stdout)
    assert report["documents"] == 4
    # Decoded, it is the wire story again: clustered with the UTF-8 original.
    assert any(any(m["id"].endswith("legacy/cp1256.txt") for m in c["members"]) for c in report["clusters"])


def test_malformed_jsonl_line_warns_with_line_and_rest_is_read(tmp_path: Path) -> None:
    rows = corpus_records()
    text = jsonl_text(rows[:2]) + '{"id": "broken", "text": "unterminated\n' + jsonl_text(rows[2:])
    path = tmp_path / "n.jsonl"
    path.write_text(text, encoding="utf-8")
    result = run("scan", str(path), "-f", "json")
    assert result.exit_code == 0
    (line,) = error_lines(result)
    assert line.startswith(f"dedup: warning: {path}:3: malformed JSON")
    report = json.loads(result.stdout)
    assert report["documents"] == 7
    assert sorted(clusters_of(report), key=sorted) == sorted(EXPECTED_PAIRS, key=sorted)


def test_malformed_jsonl_line_with_strict_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "n.jsonl"
    path.write_text(jsonl_text(corpus_records()[:2]) + "{oops\n", encoding="utf-8")
    result = run("scan", str(path), "--strict", "-f", "json")
    assert result.exit_code == 2
    assert result.stdout == ""
    (line,) = error_lines(result)
    assert line.startswith(f"dedup: error: {path}:3: malformed JSON")
    # Nothing was skipped: the run stopped. The message must not claim otherwise.
    assert "skipped" not in line


def test_jsonl_line_that_is_not_an_object(tmp_path: Path) -> None:
    path = tmp_path / "n.jsonl"
    path.write_text(jsonl_text(corpus_records()[:1]) + '["ar-spa", "text"]\n"just a string"\n', encoding="utf-8")
    result = run("scan", str(path), "-f", "json")
    assert result.exit_code == 0
    assert error_lines(result) == [
        f"dedup: warning: {path}:2: expected a JSON object; line skipped",
        f"dedup: warning: {path}:3: expected a JSON object; line skipped",
    ]
    assert json.loads(result.stdout)["documents"] == 1


def test_empty_document_warns(tmp_path: Path) -> None:
    d = tmp_path / "c"
    write_txt(d / "story.txt", EN_TITLE, EN_TEXT)
    (d / "empty.txt").write_text("\n\n  \n", encoding="utf-8")
    result = run("scan", str(d), "-f", "json")
    assert result.exit_code == 0
    (line,) = error_lines(result)
    assert line.startswith(f"dedup: warning: {d / 'empty.txt'}: empty document")
    assert json.loads(result.stdout)["documents"] == 2


def test_empty_documents_are_never_clustered_together(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "n.jsonl", [record("a", "", ""), record("b", "", "  "), record("c", EN_TITLE, EN_TEXT)]
    )
    result = run("scan", str(path), "-f", "json")
    assert json.loads(result.stdout)["clusters"] == []
    assert [ln.split(": ")[2] for ln in error_lines(result)] == [f"{path}:1", f"{path}:2"]


def test_huge_document_is_skipped_with_warning(txt_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    big = write_txt(txt_dir / "dump" / "log.txt", EN_TITLE, EN_TEXT * 3)
    size = big.stat().st_size
    monkeypatch.setattr(dedup.io.read, "MAX_DOCUMENT_BYTES", size - 1)
    result = run("scan", str(txt_dir), "-f", "json")
    assert result.exit_code == 0
    (line,) = error_lines(result)
    assert line == f"dedup: warning: {big}: document too large ({size} bytes > {size - 1}); skipped"
    assert json.loads(result.stdout)["documents"] == 3


def test_huge_jsonl_record_is_skipped_with_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = [record("short", EN_TITLE, "A short brief."), record("long", EN_TITLE, EN_TEXT)]
    path = write_jsonl(tmp_path / "n.jsonl", rows)
    long_line = path.read_bytes().splitlines(keepends=True)[1]
    monkeypatch.setattr(dedup.io.read, "MAX_DOCUMENT_BYTES", len(long_line) - 1)
    result = run("scan", str(path), "-f", "json")
    (line,) = error_lines(result)
    assert line.startswith(f"dedup: warning: {path}:2: record too large (")
    assert json.loads(result.stdout)["documents"] == 1


def test_truncated_gzip_warns_and_keeps_what_was_read(tmp_path: Path) -> None:
    rows = corpus_records() * 3
    for i, r in enumerate(rows):
        r["id"] = f"{r['id']}-{i}"
    data = gzip.compress(jsonl_text(rows).encode("utf-8"))
    path = tmp_path / "news.jsonl.gz"
    path.write_bytes(data[: len(data) * 2 // 3])
    result = run("scan", str(path), "-f", "json")
    assert result.exit_code == 0
    (line,) = error_lines(result)
    assert line.startswith(f"dedup: warning: {path}: cannot read (")
    documents = json.loads(result.stdout)["documents"]
    assert 0 < documents < len(rows)


def test_not_gzip_at_all(tmp_path: Path) -> None:
    path = tmp_path / "news.jsonl.gz"
    path.write_text(jsonl_text(corpus_records()), encoding="utf-8")  # named .gz, but plain text
    result = run("scan", str(path), "-f", "json")
    assert result.exit_code == 0
    (line,) = error_lines(result)
    assert line.startswith(f"dedup: warning: {path}: cannot read (")


def test_unsupported_file_given_explicitly(tmp_path: Path) -> None:
    path = tmp_path / "photo.jpg"
    path.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF")
    result = run("scan", str(path), "-f", "json")
    assert result.exit_code == 0
    (line,) = error_lines(result)
    assert line.startswith(f"dedup: warning: {path}: unsupported file type")


def test_quiet_silences_warnings_but_not_errors(tmp_path: Path) -> None:
    path = tmp_path / "n.jsonl"
    path.write_text(jsonl_text(corpus_records()[:1]) + "{oops\n", encoding="utf-8")
    assert run("scan", str(path), "-q", "-f", "json").stderr == ""
    assert "no such file" in run("scan", str(tmp_path / "x.jsonl"), "-q").stderr


def test_bad_rules_file_is_one_line_error(corpus_jsonl: Path, tmp_path: Path) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text('[[line]]\nname = "x"\npattern = "(unclosed"\n', encoding="utf-8")
    result = run("scan", str(corpus_jsonl), "--rules", str(rules))
    assert result.exit_code == 2
    (line,) = error_lines(result)
    assert line.startswith(f"dedup: error: {rules}: ") and "[[line]] x" in line


def test_rules_file_with_wrong_value_type_is_one_line_error(corpus_jsonl: Path, tmp_path: Path) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text('[[line]]\nname = "x"\npattern = "foo"\nmax_words = "five"\n', encoding="utf-8")
    result = CliRunner().invoke(app, ["scan", str(corpus_jsonl), "--rules", str(rules)])
    assert result.exit_code == 2 and "Traceback" not in result.output and result.exception is not None
    assert isinstance(result.exception, SystemExit)
    (line,) = error_lines(result)
    assert str(rules) in line and "max_words" in line and "whole number" in line


@pytest.mark.parametrize(
    "setting", ['threshold = "high"', 'ngram = "three"', "templates = 1", "prefer = [1, 2]", 'keep = "newest"']
)
def test_settings_file_with_bad_value_names_the_file(
    corpus_jsonl: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, setting: str
) -> None:
    (tmp_path / "dedup.toml").write_text(setting + "\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = run("scan", str(corpus_jsonl), "-f", "json")
    assert result.exit_code == 2
    assert result.stdout == ""
    (line,) = error_lines(result)
    assert line.startswith(f"dedup: error: {tmp_path / 'dedup.toml'}: ")
    assert setting.split(" =")[0] in line


def test_version() -> None:
    result = run("--version")
    assert result.exit_code == 0
    assert result.stdout.startswith("dedup ")


# The module docstring promises txt/JSONL parity for a story: the same article as .txt and as JSONL is one copy.
def test_txt_and_jsonl_copies_of_one_story_are_exact_duplicates(tmp_path: Path) -> None:
    txt = write_txt(tmp_path / "a" / "story.txt", AR_COPY_TITLE, AR_COPY_TEXT)
    jsonl = write_jsonl(tmp_path / "b.jsonl", [record("rec", AR_COPY_TITLE, AR_COPY_TEXT, source="okaz.com.sa")])
    report = json.loads(run("scan", str(txt), str(jsonl), "-f", "json").stdout)
    assert report["clusters"][0]["members"][1] == {
        "id": "rec",
        "similarity": 1.0,
        "source": "okaz.com.sa",
        "title": AR_COPY_TITLE,
        "relation": "copy",
    }


def test_strict_from_settings_file_is_not_overridden_by_the_flag_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "n.jsonl"
    path.write_text(jsonl_text(corpus_records()[:2]) + "{oops\n", encoding="utf-8")
    (tmp_path / "dedup.toml").write_text("strict = true\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = run("scan", "n.jsonl", "-f", "json")
    assert result.exit_code == 2
    assert error_lines(result)[0].startswith("dedup: error: n.jsonl:3: malformed JSON")


# -- options: each declared once, in dedup.settings ----------------------------------------------------------------


def _help(*command: str) -> str:
    result = CliRunner().invoke(app, [*command, "--help"], env={"COLUMNS": "300"})
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.parametrize(
    "command",
    [("scan",), ("clean",), ("remove",), ("check",), ("precommit",), ("filter",), ("index", "add"), ("index", "query")],
)
def test_every_setting_option_shows_the_default_that_settings_has(command: tuple[str, ...]) -> None:
    from dedup.settings import OPTIONS, Settings

    text = _help(*command)
    offered = [o for o in OPTIONS.values() if o.flag + " " in text]
    assert {"threshold", "rules", "strict", "id_field"} <= {o.key for o in offered} or command == ("clean",)
    defaults = Settings()
    for option in offered:
        value = getattr(defaults, option.attr) if option.attr else getattr(defaults.fields, option.key[:-6])
        assert value == option.default
        if option.type is not bool and value not in (None, ()):
            assert f"{option.help} [default: {value}]" in text, option.key


def test_settings_file_keys_are_the_options() -> None:
    from dedup.settings import OPTIONS

    # Tuning knobs are settings-file keys without a flag; everything else is both.
    knobs = {"seed", "lsh_threshold", "site_min_share"}
    knobs |= {"rewrite_containment", "rewrite_words", "rewrite_title", "rewrite_ordered"}
    knobs |= {"rewrite_passages", "rewrite_passage_title"}
    assert {k for k, o in OPTIONS.items() if not o.command_line} == knobs
    assert "rules" in OPTIONS and OPTIONS["rules"].attr == "rules_file"


def test_no_strict_on_the_command_line_overrides_the_settings_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "n.jsonl"
    path.write_text(jsonl_text(corpus_records()[:2]) + "{oops\n", encoding="utf-8")
    (tmp_path / "dedup.toml").write_text("strict = true\nthreshold = 0.9\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = run("scan", "n.jsonl", "-f", "json", "--no-strict")
    assert result.exit_code == 0
    assert "n.jsonl:3: malformed JSON" in result.stderr


def test_tuning_knobs_have_no_flag_but_are_read_from_the_settings_file(
    corpus_jsonl: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dedup.settings import load_settings

    (tmp_path / "dedup.toml").write_text("lsh-threshold = 0.05\nseed = 7\n", encoding="utf-8")
    assert (load_settings({}, start=tmp_path).seed, load_settings({}, start=tmp_path).lsh_threshold) == (7, 0.05)
    monkeypatch.chdir(tmp_path)
    assert run("scan", str(corpus_jsonl), "-f", "json").exit_code == 0
    assert run("scan", str(corpus_jsonl), "--seed", "7").exit_code == 2  # no such option


# -- outputs never touch inputs -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["scan", "{src}", "-f", "json", "-o", "{src}"],
        ["scan", "{src}", "--html", "{src}"],
        ["scan", "{dir}", "-f", "json", "-o", "{dir}/report.json"],
        ["clean", "{src}", "-o", "{alias}"],
        ["filter", "{src}", "--index", "{tmp}/i.sqlite", "--rejects", "{src}"],
    ],
)
def test_an_output_that_would_touch_an_input_is_refused(tmp_path: Path, args: list[str]) -> None:
    d = tmp_path / "in"
    d.mkdir()
    src = write_jsonl(d / "news.jsonl", corpus_records())
    alias = tmp_path / "alias.jsonl"
    alias.symlink_to(src)  # the same file by another name
    before = src.read_bytes()
    paths = {"src": str(src), "dir": str(d), "alias": str(alias), "tmp": str(tmp_path)}
    result = run(*[a.format(**paths) for a in args])
    assert result.exit_code == 2, result.output
    (line,) = error_lines(result)
    assert line.startswith("dedup: error: ") and "input" in line
    assert src.read_bytes() == before
    assert sorted(p.name for p in d.iterdir()) == ["news.jsonl"]


def test_remove_manifest_says_how_each_dropped_document_relates_to_the_kept_one(tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "news.jsonl", corpus_records())
    out = tmp_path / "unique.jsonl"
    assert run("remove", str(src), "-o", str(out), "-q").exit_code == 0
    manifest = json.loads((tmp_path / "unique.jsonl.manifest.json").read_text(encoding="utf-8"))
    assert manifest["dropped"]
    assert {e["relation"] for e in manifest["dropped"]} <= {"copy", "contained"}
