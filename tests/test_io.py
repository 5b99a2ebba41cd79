"""dedup.io: reading .txt, .html, JSONL (plain, gzipped, stdin) and directories; problems; atomic writes."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
from pathlib import Path

import pytest
from conftest import AR_COPY_TEXT, AR_COPY_TITLE, AR_TEXT, AR_TITLE, EN_TEXT, EN_TITLE, jsonl_text, record, write_txt

import dedup.io.read
from dedup.io import FieldNames, InputError, InputProblem, Reader, atomic_writer, source_of


def read(inputs: list[str], **kwargs) -> tuple[list, list[InputProblem]]:
    problems: list[InputProblem] = []
    docs = list(Reader(on_problem=problems.append, **kwargs).read(inputs))
    return docs, problems


def test_txt_first_line_is_title_and_folder_is_source(tmp_path: Path) -> None:
    path = write_txt(tmp_path / "corpus" / "saba" / "aden.txt", AR_TITLE, AR_TEXT)
    (doc,), problems = read([str(tmp_path / "corpus")])
    assert problems == []
    assert doc.id == "saba/aden.txt"
    assert doc.title == AR_TITLE
    assert doc.text == AR_TEXT + "\n"
    assert doc.source == "saba"
    assert doc.origin == str(path)


def test_txt_with_bom_and_blank_first_lines(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes(b"\xef\xbb\xbf\n\n" + (EN_TITLE + "\n" + EN_TEXT).encode("utf-8"))
    (doc,), _ = read([str(path)])
    assert doc.title == EN_TITLE  # the first non-empty line, with no BOM glued to it
    assert doc.text.startswith("LONDON (Reuters) -")


def test_directory_order_is_sorted_and_hidden_files_are_skipped(tmp_path: Path) -> None:
    d = tmp_path / "c"
    for name in ["b/2.txt", "a/9.txt", "a/10.txt", ".git/x.txt", "b/.draft.txt", "notes.md"]:
        write_txt(d / name, "Title " + name, "Body of " + name)
    docs, problems = read([str(d)])
    assert [x.id for x in docs] == ["a/10.txt", "a/9.txt", "b/2.txt"]
    assert problems == []  # unsupported types inside a directory are passed over silently


def test_jsonl_fields_ids_and_extra_metadata(tmp_path: Path) -> None:
    rows = [
        record("spa-1", AR_TITLE, AR_TEXT, url="https://www.spa.gov.sa/w123", date="2024-03-10", section="محليات"),
        {"text": EN_TEXT, "title": EN_TITLE, "source": "Reuters", "id": 42},
        {"text": EN_TEXT},
    ]
    path = tmp_path / "feed.jsonl"
    path.write_text(jsonl_text(rows), encoding="utf-8")
    docs, problems = read([str(path)])
    assert problems == []
    assert [d.id for d in docs] == ["spa-1", "42", "feed.jsonl:3"]
    assert docs[0].source == "spa.gov.sa" and docs[0].date == "2024-03-10"
    assert docs[0].meta["section"] == "محليات"
    assert docs[0].meta["_record"] == rows[0]
    assert docs[1].source == "Reuters"  # an explicit source wins over the url host and the folder
    assert docs[2].source == tmp_path.name
    assert [d.origin for d in docs] == [f"{path}:1", f"{path}:2", f"{path}:3"]


def test_custom_field_names(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    path.write_text(json.dumps({"key": "k1", "body": AR_COPY_TEXT, "headline": AR_COPY_TITLE}) + "\n", encoding="utf-8")
    (doc,), _ = read([str(path)], fields=FieldNames(id="key", text="body", title="headline"))
    assert (doc.id, doc.title, doc.text) == ("k1", AR_COPY_TITLE, AR_COPY_TEXT)


def test_html_field_is_used_when_there_is_no_text(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    path.write_text(json.dumps({"id": "p", "html": "<html><body><p>Hi</p></body></html>"}) + "\n", encoding="utf-8")
    (doc,), _ = read([str(path)])
    assert doc.text == "" and doc.html.startswith("<html>")


def test_html_file_is_kept_as_bytes(tmp_path: Path) -> None:
    page = '<html><head><meta charset="windows-1256"></head><body><p>مرحبا</p></body></html>'.encode("cp1256")
    (tmp_path / "p.html").write_bytes(page)
    (doc,), problems = read([str(tmp_path / "p.html")])
    assert problems == []
    assert doc.html == page  # not decoded as UTF-8 (it is not): the cleaner honours the declared charset


def test_gzip_jsonl_and_stdin(tmp_path: Path) -> None:
    data = jsonl_text([record("a", EN_TITLE, EN_TEXT), record("b", AR_TITLE, AR_TEXT)]).encode("utf-8")
    gz = tmp_path / "x.jsonl.gz"
    gz.write_bytes(gzip.compress(data))
    docs, _ = read([str(gz)])
    assert [d.id for d in docs] == ["a", "b"]
    docs, problems = read(["-"], stdin=io.BytesIO(data + b"not json\n"))
    assert [d.id for d in docs] == ["a", "b"]
    assert [str(p) for p in problems] == ["<stdin>:3: malformed JSON (Expecting value at column 1); line skipped"]


def test_each_problem_is_reported_once_with_its_place(tmp_path: Path) -> None:
    d = tmp_path / "c"
    write_txt(d / "ok.txt", EN_TITLE, EN_TEXT)
    (d / "bin.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (d / "latin.txt").write_bytes("Caf\xe9 strike\n".encode("latin-1"))
    (d / "feed.jsonl").write_bytes(
        b'{"id": "1", "text": "x"}\n[1]\n{"id": 2}\n{"id": "3", "text": "\xff"}\n\n{"id": "4", "text": "y"}\n')
    docs, problems = read([str(d)])
    assert [x.id for x in docs] == ["1", "4", "ok.txt"]
    assert [str(p) for p in problems] == [
        f"{d / 'bin.txt'}: binary file, not text; skipped",
        f"{d / 'feed.jsonl'}:2: expected a JSON object; line skipped",
        f"{d / 'feed.jsonl'}:3: no 'text' or 'html' string field; line skipped",
        f"{d / 'feed.jsonl'}:4: malformed JSON (not valid UTF-8); line skipped",
        f"{d / 'latin.txt'}: not valid UTF-8 (byte 3); re-encode the file as UTF-8",
    ]


def test_strict_raises_on_the_first_problem(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    path.write_text('{"id": "1", "text": "x"}\n{broken\n{"id": "3", "text": "z"}\n', encoding="utf-8")
    reader = Reader(strict=True)
    docs = reader.read([str(path)])
    assert next(docs).id == "1"
    with pytest.raises(InputError, match=r"x\.jsonl:2: malformed JSON"):
        next(docs)


def test_missing_path_raises_before_anything_is_read(tmp_path: Path) -> None:
    write_txt(tmp_path / "a.txt", EN_TITLE, EN_TEXT)
    reader = Reader()
    with pytest.raises(InputError, match=r"missing\.txt: no such file or directory"):
        next(reader.read([str(tmp_path / "a.txt"), str(tmp_path / "missing.txt")]))


def test_size_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    small = write_txt(tmp_path / "c" / "brief.txt", "Brief", "Short.")
    big = write_txt(tmp_path / "c" / "dump.txt", EN_TITLE, EN_TEXT)
    monkeypatch.setattr(dedup.io.read, "MAX_DOCUMENT_BYTES", small.stat().st_size)
    docs, problems = read([str(tmp_path / "c")])
    assert [d.id for d in docs] == ["brief.txt"]
    assert [p.where for p in problems] == [str(big)]


def test_truncated_gzip_keeps_earlier_records(tmp_path: Path) -> None:
    # Varied records (a real feed does not compress to a few hundred bytes), so the cut falls mid-file.
    rows = [record(f"r{i}", EN_TITLE, " ".join(hashlib.sha256(f"{i}-{k}".encode()).hexdigest() for k in range(30)))
            for i in range(40)]
    data = gzip.compress(jsonl_text(rows).encode("utf-8"))
    path = tmp_path / "x.jsonl.gz"
    path.write_bytes(data[: len(data) // 2])
    docs, problems = read([str(path)])
    assert 0 < len(docs) < 40
    assert [d.id for d in docs] == [f"r{i}" for i in range(len(docs))]
    assert len(problems) == 1 and problems[0].where == str(path)


def test_source_of() -> None:
    assert source_of("https://www.reuters.com/world/uk/", None, "folder") == "reuters.com"
    assert source_of("https://www.reuters.com/world/uk/", "Reuters", "folder") == "Reuters"
    assert source_of("not a url", None, "folder") == "folder"
    assert source_of(None, None, None) is None


def test_atomic_writer_keeps_the_old_file_on_error(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError), atomic_writer(target) as handle:
        handle.write("half")
        raise RuntimeError("disk full")
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]  # no temporary file left behind
