"""dedup.io: reading .txt, .html, JSONL (plain, gzipped, stdin) and directories; problems; atomic writes."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import signal
import socket
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
    EN_TEXT,
    EN_TITLE,
    jsonl_text,
    record,
    write_txt,
)

import dedup.io.read
from dedup.document import Document
from dedup.io import (
    FieldNames,
    InputError,
    InputProblem,
    OutputError,
    Passthrough,
    Reader,
    atomic_writer,
    file_id,
    refuse_input_overlap,
    source_of,
    span_chunks,
)
from dedup.io.files import TooLarge, read_limited


def read(inputs: list[str], **kwargs) -> tuple[list, list[InputProblem]]:
    problems: list[InputProblem] = []
    docs = list(Reader(on_problem=problems.append, **kwargs).read(inputs))
    return docs, problems


def test_txt_first_line_is_title_and_folder_is_source(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    path = write_txt(tmp_path / "corpus" / "saba" / "aden.txt", AR_TITLE, AR_TEXT)
    (doc,), problems = read([str(tmp_path / "corpus")])
    assert problems == []
    assert doc.id == "corpus/saba/aden.txt"
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


def test_directory_order_is_sorted_and_hidden_files_are_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    d = Path("c")
    for name in ["b/2.txt", "a/9.txt", "a/10.txt", ".git/x.txt", "b/.draft.txt", "notes.md"]:
        write_txt(d / name, "Title " + name, "Body of " + name)
    docs, problems = read([str(d)])
    assert [x.id for x in docs] == ["c/a/10.txt", "c/a/9.txt", "c/b/2.txt"]
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


def test_lines_json_cannot_read_are_skipped_with_their_place_not_a_traceback(tmp_path: Path) -> None:
    """A line nested deeper than the parser recurses, or holding an integer longer than the interpreter converts,
    is a malformed line like any other: skipped and named, the rest of the file read."""
    good = jsonl_text([record("a", EN_TITLE, EN_TEXT), record("b", AR_TITLE, AR_TEXT)]).encode("utf-8")
    deep = b"[" * 100_000 + b"]" * 100_000 + b"\n"
    huge = b'{"id": "c", "text": "x", "views": ' + b"9" * 5_000 + b"}\n"
    feed = tmp_path / "feed.jsonl"
    feed.write_bytes(deep + good + huge)
    docs, problems = read([str(feed)])
    assert [d.id for d in docs] == ["a", "b"]
    assert [str(p) for p in problems] == [
        f"{feed}:1: malformed JSON (nested too deeply to read); line skipped",
        f"{feed}:4: malformed JSON (a number too long to read); line skipped",
    ]


def test_each_problem_is_reported_once_with_its_place(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    d = Path("c")
    write_txt(d / "ok.txt", EN_TITLE, EN_TEXT)
    (d / "bin.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    # An Arabic line of UTF-8 cut in the middle of a letter: damaged UTF-8, not another encoding.
    cut = json.dumps({"id": "3", "text": AR_TEXT}, ensure_ascii=False).encode("utf-8")
    cut = cut[: cut.index("مطار".encode()) + 1] + cut[cut.index("مطار".encode()) + 2 :]
    (d / "feed.jsonl").write_bytes(
        b'{"id": "1", "text": "x"}\n[1]\n{"id": 2}\n' + cut + b'\n\n{"id": "4", "text": "y"}\n'
    )
    docs, problems = read([str(d)])
    assert [x.id for x in docs] == ["1", "4", "c/ok.txt"]
    assert [str(p) for p in problems] == [
        f"{d / 'bin.txt'}: binary file, not text; skipped",
        f"{d / 'feed.jsonl'}:2: expected a JSON object; line skipped",
        f"{d / 'feed.jsonl'}:3: no 'text' or 'html' string field; line skipped",
        f"{d / 'feed.jsonl'}:4: malformed JSON (not valid UTF-8); line skipped",
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
    monkeypatch.chdir(tmp_path)
    small = write_txt(tmp_path / "c" / "brief.txt", "Brief", "Short.")
    big = write_txt(tmp_path / "c" / "dump.txt", EN_TITLE, EN_TEXT)
    monkeypatch.setattr(dedup.io.read, "MAX_DOCUMENT_BYTES", small.stat().st_size)
    docs, problems = read([str(tmp_path / "c")])
    assert [d.id for d in docs] == ["c/brief.txt"]
    assert [p.where for p in problems] == [str(big)]


def test_truncated_gzip_keeps_earlier_records(tmp_path: Path) -> None:
    # Varied records (a real feed does not compress to a few hundred bytes), so the cut falls mid-file.
    rows = [
        record(f"r{i}", EN_TITLE, " ".join(hashlib.sha256(f"{i}-{k}".encode()).hexdigest() for k in range(30)))
        for i in range(40)
    ]
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


# -- ids: the path from the working directory, however the folder was named ---------------------------------------


def test_ids_do_not_depend_on_how_the_folder_was_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_txt(tmp_path / "D" / "seeds" / "aden.txt", AR_TITLE, AR_TEXT)
    write_txt(tmp_path / "D" / "wires" / "strike.txt", EN_TITLE, EN_TEXT)
    monkeypatch.chdir(tmp_path)
    spellings = ["D/seeds", "D", "./D/", "D//seeds/", str(tmp_path / "D"), "D/seeds/aden.txt", "D/wires/../seeds"]
    ids = {spelling: {d.id for d in read([spelling])[0]} for spelling in spellings}
    assert all("D/seeds/aden.txt" in found for found in ids.values()), ids
    assert ids["D"] == {"D/seeds/aden.txt", "D/wires/strike.txt"}
    # Outside the working directory: the absolute path, the same whichever way it was reached.
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    assert {d.id for d in read(["../D/seeds"])[0]} == {(tmp_path / "D" / "seeds" / "aden.txt").as_posix()}
    assert {d.id for d in read([str(tmp_path / "D")])[0]} == {
        (tmp_path / "D" / "seeds" / "aden.txt").as_posix(),
        (tmp_path / "D" / "wires" / "strike.txt").as_posix(),
    }


def test_file_id() -> None:
    assert file_id("a/./b/../c.txt", cwd="/w") == "a/c.txt"
    assert file_id("/w/news/x.txt", cwd="/w") == "news/x.txt"
    assert file_id("/srv/x.txt", cwd="/w") == "/srv/x.txt"
    assert file_id("../w2/x.txt", cwd="/w") == "/w2/x.txt"  # /w2 is not under /w, though it starts the same


# -- encodings: .txt and JSONL that are not UTF-8 ------------------------------------------------------------------


def test_windows_1256_arabic_article_is_decoded(tmp_path: Path) -> None:
    path = tmp_path / "legacy" / "aden.txt"
    path.parent.mkdir()
    path.write_bytes(f"{AR_TITLE}\r\n{AR_TEXT}\r\n".replace("\n", "\r\n").encode("windows-1256"))
    (doc,), problems = read([str(path)])
    assert problems == []
    assert doc.title == AR_TITLE
    assert "مركز الملك سلمان للإغاثة والأعمال الإنسانية" in doc.text
    assert doc.meta["_encoding"] == "windows-1256"


def test_other_encodings_of_text_files(tmp_path: Path) -> None:
    cases = {
        "cp1252.txt": (EN_TITLE + "\nThe café’s “smart” façade cost 5€ — a déjà vu.\n").encode("windows-1252"),
        "latin1.txt": "Grève des dockers\nLe préfet a reçu les délégués à Marseille.\n".encode("iso-8859-1"),
        "utf16.txt": (AR_TITLE + "\n" + AR_TEXT).encode("utf-16"),  # with its byte-order mark
        "utf16be.txt": b"\xfe\xff" + (EN_TITLE + "\n" + EN_TEXT).encode("utf-16-be"),
        "utf8.txt": (AR_TITLE + "\n" + AR_TEXT).encode("utf-8"),
    }
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
    docs, problems = read([str(tmp_path)])
    assert problems == []
    found = {Path(d.path).name: d for d in docs}
    assert found["cp1252.txt"].text == "The café’s “smart” façade cost 5€ — a déjà vu.\n"
    assert found["latin1.txt"].text.startswith("Le préfet a reçu")
    assert found["utf16.txt"].title == AR_TITLE and found["utf16.txt"].text == AR_TEXT
    assert found["utf16be.txt"].text == EN_TEXT
    assert {n: d.meta["_encoding"] for n, d in found.items()} == {
        "cp1252.txt": "windows-1252",
        "latin1.txt": "windows-1252",
        "utf16.txt": "utf-16",
        "utf16be.txt": "utf-16",
        "utf8.txt": "utf-8",
    }


def test_damaged_utf8_is_read_with_a_warning_not_taken_for_another_encoding(tmp_path: Path) -> None:
    text = AR_TITLE + "\n" + AR_TEXT.rstrip(".")
    path = tmp_path / "cut.txt"
    path.write_bytes(text.encode("utf-8")[:-1])  # a scraper cut the last letter in half
    (doc,), problems = read([str(path)])
    assert doc.title == AR_TITLE and doc.text == AR_TEXT.rstrip(".")[:-1] + "\ufffd"
    assert doc.meta["_encoding"] == "utf-8"
    assert [str(p) for p in problems] == [
        f"{path}: not valid UTF-8 in 1 places; read with those bytes replaced (U+FFFD)"
    ]


def test_windows_1256_jsonl_is_decoded_and_its_records_handed_on_as_utf8(tmp_path: Path) -> None:
    rows = [record("a1", AR_TITLE, AR_TEXT, section="محليات"), record("a2", AR_OTHER_TITLE, AR_OTHER_TEXT)]
    lines = [json.dumps(r, ensure_ascii=False) for r in rows]
    path = tmp_path / "legacy.jsonl"
    path.write_bytes("\n".join([lines[0], '{"id": "x", "نص": "بدون حقل"}', lines[1]]).encode("windows-1256") + b"\n")
    items, problems = read([str(path)], passthrough=True)
    a1, skipped, a2 = items
    assert (a1.id, a1.title, a1.text, a1.meta["section"]) == ("a1", AR_TITLE, AR_TEXT, "محليات")
    assert a1.meta["_encoding"] == a2.meta["_encoding"] == "windows-1256"
    # Records are handed on as UTF-8, the same characters: an output mixing encodings would be unreadable. A line
    # that is not a document is not dedup's to judge: it stays as it was read.
    assert a1.meta["_line"] == (lines[0] + "\n").encode("utf-8")
    assert skipped.line == '{"id": "x", "نص": "بدون حقل"}\n'.encode("windows-1256")
    assert [p.where for p in problems] == [f"{path}:2"]


def test_utf16_jsonl(tmp_path: Path) -> None:
    path = tmp_path / "export.jsonl"
    path.write_bytes(jsonl_text([record("a", AR_TITLE, AR_TEXT), record("b", EN_TITLE, EN_TEXT)]).encode("utf-16"))
    docs, problems = read([str(path)])
    assert problems == []
    assert [(d.id, d.text, d.meta["_encoding"]) for d in docs] == [("a", AR_TEXT, "utf-16"), ("b", EN_TEXT, "utf-16")]


# -- passthrough: the JSONL lines that are not documents, in order -------------------------------------------------


def test_passthrough_yields_every_line_in_order_and_scan_sees_documents_only(tmp_path: Path) -> None:
    good = json.dumps(record("a", EN_TITLE, EN_TEXT))
    data = f'{good}\n{{broken\n\n[1, 2]\n{{"id": "n", "body": "no text field"}}\n  \n{good.replace("a", "b", 1)}'
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(data.encode())
    items, problems = read([str(path)], passthrough=True)
    kinds = [(type(x).__name__, x.origin.rsplit(":", 1)[1]) for x in items]
    assert kinds == [
        ("Document", "1"),
        ("Passthrough", "2"),
        ("Passthrough", "3"),
        ("Passthrough", "4"),
        ("Passthrough", "5"),
        ("Passthrough", "6"),
        ("Document", "7"),
    ]
    assert b"".join(x.meta["_line"] if isinstance(x, Document) else x.line for x in items) == data.encode()
    assert [x.reason is None for x in items if isinstance(x, Passthrough)] == [False, True, False, False, True]
    assert len(problems) == 3
    docs, again = read([str(path)])
    assert [d.id for d in docs] == ["a", "b"] and again == problems


class _Recording(io.BytesIO):
    """A stream that remembers the most bytes it handed out in one call."""

    most = 0

    def readline(self, size: int | None = -1) -> bytes:
        line = super().readline(size)
        self.most = max(self.most, len(line))
        return line

    def read(self, size: int | None = -1) -> bytes:
        data = super().read(size)
        self.most = max(self.most, len(data))
        return data

    def read1(self, size: int = -1) -> bytes:
        return self.read(size)


def test_an_over_long_jsonl_line_is_read_in_bounded_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dedup.io.read, "MAX_DOCUMENT_BYTES", 16384)
    huge = json.dumps(record("huge", EN_TITLE, EN_TEXT * 3000))  # ~5 MB on one line
    small = json.dumps(record("small", AR_TITLE, AR_TEXT), ensure_ascii=False)
    stream = _Recording(f"{small}\n{huge}\n{small.replace('small', 'after')}\n".encode())
    items, problems = read(["-"], stdin=stream, passthrough=True)
    assert [getattr(x, "id", None) for x in items] == ["small", None, "after"]
    assert items[1].line is None and items[1].span is None  # standard input: it cannot be read again
    assert [str(p) for p in problems] == [f"<stdin>:2: record too large ({len(huge) + 1} bytes > 16384); line skipped"]
    assert stream.most <= 1 << 20  # never the whole line at once


def test_over_long_line_span_points_at_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dedup.io.read, "MAX_DOCUMENT_BYTES", 2048)
    lines = [
        json.dumps(record("a", AR_TITLE, AR_TEXT), ensure_ascii=False) + "\n",
        json.dumps(record("big", AR_TITLE, AR_TEXT * 30), ensure_ascii=False) + "\n",
    ]
    for name, data in [
        ("plain.jsonl", "".join(lines).encode()),
        ("z.jsonl.gz", gzip.compress("".join(lines).encode())),
        ("legacy.jsonl", "".join(lines).encode("windows-1256")),
    ]:
        (tmp_path / name).write_bytes(data)
        (_, big), _ = read([str(tmp_path / name)], passthrough=True)
        expected = lines[1].encode("windows-1256" if name.startswith("legacy") else "utf-8")
        assert b"".join(span_chunks(big.span)) == expected, name


# -- bounded reading: regular files only, the size limit ----------------------------------------------------------


@pytest.fixture
def alarm():
    """Fail instead of hanging: a read that blocks is interrupted after 10 s."""

    def hung(*_):
        raise TimeoutError("the reader hung")

    old = signal.signal(signal.SIGALRM, hung)
    signal.alarm(10)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, old)


def test_fifos_devices_and_sockets_are_skipped_not_read(tmp_path: Path, alarm: None) -> None:
    d = tmp_path / "scraped"
    write_txt(d / "ok.txt", AR_TITLE, AR_TEXT)
    os.mkfifo(d / "feed.jsonl")  # no writer: opening it for reading would block forever
    os.mkfifo(d / "page.txt")
    (d / "zero.txt").symlink_to("/dev/zero")  # reading it would never end
    (d / "null.html").symlink_to("/dev/null")
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(d / "live.jsonl"))
        docs, problems = read([str(d), str(d / "feed.jsonl"), str(d / "zero.txt")])
    assert [Path(x.path).name for x in docs] == ["ok.txt"]
    assert [str(p) for p in problems] == [
        f"{d / 'feed.jsonl'}: a named pipe (FIFO), not a regular file; skipped",
        f"{d / 'live.jsonl'}: a socket, not a regular file; skipped",
        f"{d / 'null.html'}: a character device, not a regular file; skipped",
        f"{d / 'page.txt'}: a named pipe (FIFO), not a regular file; skipped",
        f"{d / 'zero.txt'}: a character device, not a regular file; skipped",
        f"{d / 'feed.jsonl'}: a named pipe (FIFO), not a regular file; skipped",
        f"{d / 'zero.txt'}: a character device, not a regular file; skipped",
    ]


def test_a_file_that_grows_past_the_limit_while_read_is_cut_off(tmp_path: Path) -> None:
    small = tmp_path / "small.txt"
    small.write_bytes(b"x" * 10)
    with open(small, "rb") as handle:
        # fstat sees the file as it was opened (10 bytes); reading finds 10,000: it grew meanwhile.
        growing = _Recording(b"y" * 10_000)
        growing.fileno = handle.fileno  # type: ignore[method-assign]
        with pytest.raises(TooLarge, match="grew past 100 bytes while read"):
            read_limited(growing, 100)
        assert growing.most <= 101
        assert read_limited(handle, 100) == b"x" * 10


# -- outputs: permissions and overlap with inputs -------------------------------------------------------------------


@pytest.mark.parametrize("umask,mode", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_atomic_writer_honours_the_umask(tmp_path: Path, umask: int, mode: int) -> None:
    old = os.umask(umask)
    try:
        with atomic_writer(tmp_path / "report.json") as handle:
            handle.write("{}")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "report.json").stat().st_mode) == mode


def test_atomic_writer_keeps_the_mode_of_the_file_it_replaces(tmp_path: Path) -> None:
    target = tmp_path / "shared.jsonl"
    target.write_text("old\n", encoding="utf-8")
    target.chmod(0o640)
    with atomic_writer(target) as handle:
        handle.write("new\n")
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_refuse_input_overlap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    corpus = tmp_path / "corpus"
    feed = write_txt(corpus / "saba" / "aden.txt", AR_TITLE, AR_TEXT)
    news = tmp_path / "news.jsonl"
    news.write_text(jsonl_text([record("a", EN_TITLE, EN_TEXT)]), encoding="utf-8")
    os.link(news, tmp_path / "hardlink.jsonl")
    (tmp_path / "symlink.jsonl").symlink_to(news)
    (tmp_path / "into-corpus").symlink_to(corpus, target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    inputs = ["corpus", "news.jsonl", "-"]
    refused = {
        "news.jsonl": "output would overwrite input news.jsonl",
        "./news.jsonl": "output would overwrite input news.jsonl",
        str(news): "output would overwrite input news.jsonl",
        "hardlink.jsonl": "output would overwrite input news.jsonl",
        "symlink.jsonl": "output would overwrite input news.jsonl",
        str(feed): "output would be written inside input folder corpus",
        "corpus/report.html": "output would be written inside input folder corpus",
        "corpus/new/deeper/out.jsonl": "output would be written inside input folder corpus",
        "into-corpus/out.jsonl": "output would be written inside input folder corpus",
        ".": "output folder would contain input corpus",
        str(tmp_path): "output folder would contain input corpus",
    }
    for output, message in refused.items():
        with pytest.raises(OutputError) as caught:
            refuse_input_overlap(output, inputs)
        assert str(caught.value) == f"{output}: {message}; choose another path", output
        assert "\n" not in str(caught.value)
    for output in ("out.jsonl", "results/unique", "news.jsonl.manifest.json", "corpus-deduped", "-"):
        refuse_input_overlap(output, inputs)  # nothing raised
    refuse_input_overlap("-", ["."])  # standard output is never an input
    with pytest.raises(OutputError, match=r"^x\.html: --html report would overwrite input x\.html; "):
        (tmp_path / "x.html").write_text("<p>page</p>", encoding="utf-8")
        refuse_input_overlap("x.html", ["x.html"], what="--html report")


@pytest.mark.parametrize(
    "line",
    [
        '{"id": "snn-1", "title": "أمير الرياض يستقبل السفير", "text": "استقبل أمير منطقة الرياض اليوم"}\n',
        '{"id": "ex-2", "text": "The port strike entered its third day."}\r\n',
        '  {"id": "ex-3", "text": "Leading spaces"}\n',
        '{"id": "ex-4", "text": "Extra data"} {"id": "ex-5"}\n',
        '{"id": "ex-6", "text": "Unterminated\n',
        '{"id": "ex-7", "text": "tab after"}\t\n',
        "\n",
    ],
)
def test_jsonl_line_parsed_as_json_loads_parses_it(line: str) -> None:
    # The direct read of a line's value gives json.loads's value, or its error with the same message and column.
    try:
        expected: object = json.loads(line)
    except json.JSONDecodeError as err:
        with pytest.raises(json.JSONDecodeError) as got:
            dedup.io.read._loads(line)
        assert (got.value.msg, got.value.colno) == (err.msg, err.colno)
    else:
        assert dedup.io.read._loads(line) == expected
