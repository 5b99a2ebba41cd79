"""Fuzz and fault suite: hostile documents, malformed HTML, odd paths, symlink loops, unreadable files, a full
disk and a kill -9 in the middle of ``remove``, and determinism of every output.

For each fault: no traceback, a message naming the input (or output), the documented exit code, inputs
byte-for-byte unchanged, outputs complete or absent, never half-written.
"""

from __future__ import annotations

import errno
import gzip
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from conftest import (
    AR_COPY_TEXT,
    AR_COPY_TITLE,
    AR_OTHER_TEXT,
    AR_OTHER_TITLE,
    AR_TEXT,
    AR_TITLE,
    EN_OTHER_TEXT,
    EN_OTHER_TITLE,
    EN_TEXT,
    EN_TITLE,
    corpus_records,
    jsonl_text,
    record,
    tree_hashes,
    write_jsonl,
    write_txt,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import dedup.io.read
from dedup.cli import app
from dedup.document import Document
from dedup.pipeline import scan_documents

ROOT = Path(__file__).resolve().parent.parent
DEDUP = Path(sys.executable).parent / "dedup"


def run(*args: str, input: str | None = None):
    result = CliRunner().invoke(app, list(args), input=input)
    assert "Traceback" not in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


def warnings_of(result) -> list[str]:
    return [ln for ln in result.stderr.splitlines() if ln.startswith("dedup: warning:")]


def errors_of(result) -> list[str]:
    return [ln for ln in result.stderr.splitlines() if ln.strip()]


def leftovers(folder: Path) -> list[str]:
    """Temporary files or folders dedup left behind (atomic_writer and remove stage under ``.NAME.*``)."""
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


# -- hypothesis: hostile documents ------------------------------------------------------------------------------

BIDI = "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
SPECIAL = BIDI + "\x00\ufeff\u200b\u200c\u200d\u0640\u064b\u0651\ufdfa\ufffd \t\r\n\u00a0\u2028\u2029\u3000"
ARABIC = "ابتثجحخدذرزسشصضطظعغفقكلمنهويءآأإؤئةى٠١٢٣٤٥٦٧٨٩"
LATIN = "abcdefghij ABC 0123456789.,;:!?-"
EMOJI = "😀🇸🇦👨‍👩‍👧🏳️‍🌈✈️"
# codec="utf-8": no lone surrogates, which no UTF-8 file can hold (the test could not even write its input).
chars = st.one_of(st.sampled_from(SPECIAL + ARABIC + LATIN + EMOJI), st.characters(codec="utf-8"))
words = st.text(alphabet=st.sampled_from(ARABIC), min_size=1, max_size=8)
texts = st.one_of(
    st.text(alphabet=chars, max_size=300),
    st.just(""),
    st.text(alphabet=st.sampled_from(" \t\r\n\u00a0\u2028\u3000\u200b" + BIDI), max_size=40),
    # RTL/LTR mixes of real-looking words with bidi controls between them
    st.lists(st.one_of(words, st.sampled_from(["Reuters", "COVID-19", "2024", "😀", *BIDI, "\x00"])), max_size=60).map(
        " ".join
    ),
)
FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FUZZ_CLI = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def jsonl_records(path: Path) -> list[dict[str, object]]:
    """Records of a JSONL file split on newlines only (str.splitlines also splits on U+2028, U+0085, ...)."""
    return [json.loads(line) for line in path.read_bytes().decode("utf-8").split("\n") if line.strip()]


@FUZZ
@given(st.lists(st.tuples(texts, texts, st.booleans()), max_size=12))
def test_hypothesis_documents_are_all_accounted_for(items: list[tuple[str, str, bool]]) -> None:
    docs = []
    for i, (title, text, as_html) in enumerate(items):
        if as_html:
            docs.append(Document(id=f"d{i}", text="", title=title, html=f"<html><body><p>{text}</p></body></html>"))
        else:
            docs.append(Document(id=f"d{i}", text=text, title=title))
    result = scan_documents(docs)
    assert [d.id for d in result.documents] == [d.id for d in docs]
    for cluster in result.clusters:
        members = [m for m, _ in cluster.members]
        assert len(members) >= 2 and len(set(members)) == len(members)
        assert all(0 <= m < len(docs) for m in members)
    # A document whose text is exactly the same (after cleaning) as another's: one cluster holds both.
    if (
        len(docs) >= 2
        and docs[0].text == docs[1].text
        and docs[0].title == docs[1].title
        and not docs[0].html
        and not docs[1].html
        and result.documents[0].words > 0
    ):
        assert any({0, 1} <= {m for m, _ in c.members} for c in result.clusters)


@FUZZ_CLI
@given(st.lists(st.tuples(texts, texts), min_size=1, max_size=8))
def test_hypothesis_jsonl_through_scan_and_remove_cli(items: list[tuple[str, str]]) -> None:
    records = [record(f"r{i}", title, text) for i, (title, text) in enumerate(items)]
    with tempfile.TemporaryDirectory() as tmp:
        src = write_jsonl(Path(tmp) / "in put.jsonl", records)
        before = tree_hashes(src)
        result = run("scan", str(src), "--format", "json", "--workers", "1")
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["documents"] == len(records)
        out = Path(tmp) / "out.jsonl"
        result = run("remove", str(src), "-o", str(out), "--workers", "1")
        assert result.exit_code == 0, result.output
        manifest = json.loads(Path(f"{out}.manifest.json").read_text(encoding="utf-8"))
        kept, dropped = jsonl_records(out), manifest["dropped"]
        # Every record is either in the output, verbatim, or in the manifest: none lost, none duplicated.
        assert sorted([r["id"] for r in kept] + [e["id"] for e in dropped]) == sorted(r["id"] for r in records)
        assert all(r == records[int(r["id"][1:])] for r in kept)
        # restore gives the input back, record for record (U+2028 or U+0085 inside a text is not a line end)
        result = run("restore", f"{out}.manifest.json")
        assert result.exit_code == 0, result.output
        assert jsonl_records(out) == records
        assert tree_hashes(src) == before


@pytest.mark.parametrize("output", ["unique.jsonl", "unique.jsonl.gz", "unique-dir"])
def test_restore_with_unicode_line_separators_inside_records(tmp_path: Path, output: str) -> None:
    # json.dumps(ensure_ascii=False) leaves U+2028, U+2029, U+0085, \x1c-\x1e raw: they are not line ends in JSONL.
    odd = "\u2028\u2029\x85\x1c\x1d\x1e\x0b\x0c"
    records = [
        record("a", AR_TITLE + odd, AR_TEXT + odd),
        record("b", AR_TITLE, AR_TEXT + odd),
        record("c", EN_TITLE, EN_TEXT),
        record("d", f"x{odd}y", EN_TEXT),
    ]
    src = write_jsonl(tmp_path / "odd.jsonl", records)
    out = tmp_path / output
    assert run("remove", str(src), "-o", str(out), "--workers", "1", "-q").exit_code == 0
    assert run("restore", f"{out}.manifest.json").exit_code == 0
    restored = out / "odd.jsonl" if out.is_dir() else out
    data = restored.read_bytes()
    data = gzip.decompress(data) if output.endswith(".gz") else data
    assert [json.loads(line) for line in data.decode("utf-8").split("\n") if line] == records


@FUZZ_CLI
@given(
    st.lists(
        st.tuples(st.sampled_from(["a b.txt", "خبر.txt", "x.html", "ملف 2.htm", "c.txt"]), texts),
        min_size=1,
        max_size=6,
        unique_by=lambda t: t[0],
    )
)
def test_hypothesis_files_each_read_or_named_in_a_warning(files: list[tuple[str, str]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp) / "مجلد الأخبار"
        d.mkdir()
        for name, text in files:
            (d / name).write_bytes(text.encode("utf-8", "surrogatepass"))
        result = run("scan", str(d), "--format", "json", "--workers", "1")
        assert result.exit_code == 0, result.output
        read = json.loads(result.stdout)["documents"]
        skipped = {
            name
            for name, _ in files
            if any(f"{d / name}: " in w and "skipped" in w and "empty" not in w for w in warnings_of(result))
        }
        assert read + len(skipped) == len(files), result.stderr


def test_ten_megabyte_single_line_document(tmp_path: Path) -> None:
    unit = " ".join(f"كلمة{i}" for i in range(5000)) + " "
    line = unit * (10 * 1024 * 1024 // len(unit.encode("utf-8")) + 1)
    assert len(line.encode("utf-8")) >= 10 * 1024 * 1024 and "\n" not in line
    big = tmp_path / "big.txt"
    big.write_text(f"عنوان\n{line}", encoding="utf-8")
    src = write_jsonl(tmp_path / "big.jsonl", [record("huge", "عنوان", line), record("small", AR_TITLE, AR_TEXT)])
    start = time.monotonic()
    result = run("scan", str(big), str(src), "--format", "json", "--workers", "1")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["documents"] == 3
    assert time.monotonic() - start < 30


# -- malformed HTML ------------------------------------------------------------------------------------------------

AR_BODY = f"<h1>{AR_TITLE}</h1>" + "".join(f"<p>{p}</p>" for p in AR_TEXT.split("\n\n"))


def test_malformed_html_is_scanned_without_a_traceback(tmp_path: Path) -> None:
    d = tmp_path / "pages"
    d.mkdir()
    (d / "unclosed.html").write_text(f"<html><body><div><p>{AR_TEXT}<p><b><i>" + "<span>" * 50, encoding="utf-8")
    (d / "deep.html").write_text(
        "<html><body>" + "<div>" * 10_000 + f"<p>{EN_TEXT}</p>" + "</div>" * 9_000, encoding="utf-8"
    )
    (d / "deep-inline.html").write_text("<b>" * 10_000 + AR_OTHER_TEXT, encoding="utf-8")
    (d / "declares-1256-is-utf8.html").write_bytes(
        f'<html><head><meta charset="windows-1256"></head><body>{AR_BODY}</body></html>'.encode()
    )
    (d / "declares-utf8-is-1256.html").write_bytes(
        f'<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"></head><body>{AR_BODY}'
        "</body></html>".encode("windows-1256", "replace")
    )
    (d / "no-meta-1256.html").write_bytes(f"<html><body>{AR_BODY}</body></html>".encode("windows-1256", "replace"))
    (d / "bogus-charset.html").write_bytes(f'<meta charset="x-no-such-codec"><p>{AR_COPY_TEXT}</p>'.encode())
    (d / "garbage.htm").write_bytes(b"<<<>>></ ><!-- <![CDATA[ <script>" + bytes(range(1, 256)) * 20)
    (d / "empty.html").write_bytes(b"")
    before = tree_hashes(d)
    result = run("scan", str(d), "--format", "json", "--workers", "1")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["documents"] == 9
    for w in warnings_of(result):
        assert str(d) in w, w  # every warning names its page
    docs = {Path(p.path or "").name: p for p in _clean_documents([str(d)])}
    assert "مطار عدن الدولي" in docs["no-meta-1256.html"].text  # windows-1256 without a meta: still Arabic
    assert tree_hashes(d) == before


@pytest.mark.parametrize("declared,encoding", [("windows-1256", "utf-8"), ("utf-8", "windows-1256")])
def test_a_wrong_charset_declaration_does_not_garble_the_page(tmp_path: Path, declared: str, encoding: str) -> None:
    page = tmp_path / "page.html"
    page.write_bytes(f'<html><head><meta charset="{declared}"></head><body>{AR_BODY}</body></html>'.encode(encoding))
    (doc,) = _clean_documents([str(page)])
    assert "مطار عدن الدولي" in doc.text, doc.text[:200]


def _clean_documents(inputs: list[str]) -> list[Document]:
    from dedup.pipeline import Pipeline
    from dedup.settings import Settings

    return list(Pipeline(Settings(site_boilerplate=False), workers=1).documents(inputs))


def test_malformed_jsonl_gz_and_warc_inputs_are_each_named(tmp_path: Path) -> None:
    d = tmp_path / "dumps"
    d.mkdir()
    good = write_jsonl(d / "good.jsonl", [record("ok", AR_TITLE, AR_TEXT)])
    (d / "garbage.warc").write_bytes(bytes(range(256)) * 40)
    (d / "not-gzip.warc.gz").write_bytes(b"WARC/1.0\r\nthis is not gzip")
    (d / "binary.jsonl.gz").write_bytes(gzip.compress(bytes(range(256)) * 40))
    (d / "half.jsonl").write_bytes(
        b'{"id": "x", "text": "\xd8\xa7\xd9' + b"\n" + b'{"id": 1, "text": 2}\n[]\n\x00\x00\n'
    )
    (d / "cut.warc.gz").write_bytes(
        gzip.compress(b"WARC/1.0\r\nWARC-Type: response\r\nContent-Length: 99999\r\n\r\n<p>")[:-4]
    )
    before = tree_hashes(d)
    result = run("scan", str(d), "--format", "json", "--workers", "1")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["documents"] == 1
    for name in ("garbage.warc", "not-gzip.warc.gz", "binary.jsonl.gz", "half.jsonl", "cut.warc.gz"):
        assert any(str(d / name) in w for w in warnings_of(result)), (name, result.stderr)
    result = run("scan", str(d), "--format", "json", "--strict", "--workers", "1")
    assert result.exit_code == 2 and len(errors_of(result)) == 1, result.output
    out = tmp_path / "out.jsonl"
    assert run("remove", str(d), "-o", str(out), "-q", "--workers", "1").exit_code == 0
    # The lines that are not documents are not dedup's to judge: they pass through, byte for byte, in order
    # (binary.jsonl.gz's last line had no newline: it gets one, as another line follows it).
    binary = gzip.decompress((d / "binary.jsonl.gz").read_bytes())
    assert out.read_bytes() == binary + b"\n" + good.read_bytes() + (d / "half.jsonl").read_bytes()
    assert tree_hashes(d) == before


# -- paths: spaces, Arabic names, symlink loops, unreadable files -----------------------------------------------------


def test_paths_with_spaces_and_arabic_names_round_trip(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    d = tmp_path / "أخبار اليوم" / "وكالة سبأ"
    write_txt(d / "طائرة عدن.txt", AR_TITLE, AR_TEXT)
    write_txt(d / "copy of plane.txt", AR_COPY_TITLE, AR_COPY_TEXT)
    write_txt(d / "مستشفى 7.txt", AR_OTHER_TITLE, AR_OTHER_TEXT)
    (d / "ثنائي.txt").write_bytes(b"\x00\x01binary")
    before = tree_hashes(tmp_path / "أخبار اليوم")
    result = run("scan", str(tmp_path / "أخبار اليوم"), "--format", "json", "--workers", "1")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["documents"] == 3
    assert [m["id"] for m in report["clusters"][0]["members"]] == [
        "أخبار اليوم/وكالة سبأ/copy of plane.txt",
        "أخبار اليوم/وكالة سبأ/طائرة عدن.txt",
    ]
    assert any(str(d / "ثنائي.txt") in w for w in warnings_of(result))
    for out in (tmp_path / "نتائج نهائية" / "unique out.jsonl", tmp_path / "مخرج الملفات"):
        result = run("remove", str(tmp_path / "أخبار اليوم"), "-o", str(out), "--workers", "1")
        assert result.exit_code == 0, result.output
        assert out.exists()
        result = run("restore", f"{out}.manifest.json")
        assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "مخرج الملفات" / "وكالة سبأ").iterdir()) == sorted(
        ["طائرة عدن.txt", "copy of plane.txt", "مستشفى 7.txt"]
    )
    assert tree_hashes(tmp_path / "أخبار اليوم") == before


def test_symlink_loops_terminate_and_each_file_is_read_once(tmp_path: Path) -> None:
    d = tmp_path / "site"
    write_txt(d / "a" / "one.txt", AR_TITLE, AR_TEXT)
    write_txt(d / "b" / "two.txt", EN_TITLE, EN_TEXT)
    (d / "a" / "up").symlink_to(d, target_is_directory=True)  # a loop back to the root
    (d / "b" / "self").symlink_to(d / "b", target_is_directory=True)  # a loop onto itself
    (d / "b" / "sibling").symlink_to(d / "a", target_is_directory=True)  # the same folder by another path
    (d / "loop.txt").symlink_to(d / "loop.txt")  # a file symlink that points at itself
    (d / "ping.txt").symlink_to(d / "pong.txt")
    (d / "pong.txt").symlink_to(d / "ping.txt")
    result = run("scan", str(d), "--format", "json", "--workers", "1")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["documents"] == 2 and report["clusters"] == []  # one.txt is not a copy of itself
    for name in ("loop.txt", "ping.txt", "pong.txt"):
        assert sum(f"{d / name}: " in w for w in warnings_of(result)) == 1, result.stderr
    # A looping symlink named on the command line: a warning, not a crash.
    for command in (["scan", "--format", "json"], ["remove", "-o", str(tmp_path / "out.jsonl")]):
        result = run(command[0], str(d / "loop.txt"), *command[1:])
        assert result.exit_code == 0, result.output
        assert any(str(d / "loop.txt") in w for w in warnings_of(result))
    result = run("remove", str(d), "-o", str(tmp_path / "out-dir"), "-q")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "out-dir").rglob("*.txt")) == ["one.txt", "two.txt"]


def test_unreadable_file_is_named_and_the_rest_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    d = tmp_path / "scraped"
    write_txt(d / "ok.txt", AR_TITLE, AR_TEXT)
    locked = write_txt(d / "locked.txt", AR_COPY_TITLE, AR_COPY_TEXT)
    locked_jsonl = write_jsonl(d / "locked.jsonl", corpus_records())
    real_open = dedup.io.read.open_regular

    def fake_open(path):
        if Path(path).name.startswith("locked."):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path)

    closed = d / "closed"
    write_txt(closed / "inner.txt", EN_TITLE, EN_TEXT)
    real_scandir = os.scandir

    def scandir(path="."):
        if Path(path) == closed:
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(dedup.io.read, "open_regular", fake_open)
    monkeypatch.setattr(os, "scandir", scandir)
    result = run("scan", str(d), "--format", "json", "--workers", "1")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["documents"] == 1
    for path in (locked, locked_jsonl, closed):
        assert [w for w in warnings_of(result) if str(path) in w and "permission denied" in w], result.stderr
    result = run("scan", str(d), "--format", "json", "--strict", "--workers", "1")
    assert result.exit_code == 2
    assert "locked" in errors_of(result)[-1]


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root reads files whatever their mode")
def test_chmod_000_file_and_folder(tmp_path: Path) -> None:
    d = tmp_path / "scraped"
    write_txt(d / "ok.txt", AR_TITLE, AR_TEXT)
    locked = write_txt(d / "locked.txt", AR_COPY_TITLE, AR_COPY_TEXT)
    closed = d / "closed"
    write_txt(closed / "inner.txt", EN_TITLE, EN_TEXT)
    locked.chmod(0)
    closed.chmod(0)
    try:
        result = run("scan", str(d), "--format", "json", "--workers", "1")
    finally:
        locked.chmod(0o644)
        closed.chmod(0o755)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["documents"] == 1
    assert any(str(locked) in w for w in warnings_of(result))
    assert any(str(closed) in w for w in warnings_of(result))


# -- a full disk -------------------------------------------------------------------------------------------------------


def _enospc(*args, **kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


class FullDisk:
    """A file whose disk fills up after ``room`` bytes: every later write raises ENOSPC."""

    def __init__(self, handle, room: int = 100) -> None:
        self._handle, self._room = handle, room

    def write(self, data):
        self._room -= len(data)
        if self._room < 0:
            _enospc()
        return self._handle.write(data)

    def __getattr__(self, name: str):
        return getattr(self._handle, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self._handle.close()


def _full_fdopen(*args, **kwargs):
    return FullDisk(_real_fdopen(*args, **kwargs))


def _full_open(*args, **kwargs):
    return FullDisk(open(*args, **kwargs))


_real_fdopen = os.fdopen


@pytest.mark.parametrize(
    "output,failing",
    [
        ("unique.jsonl", "os.fsync"),
        ("unique.jsonl", "os.fdopen"),  # mid-write
        ("unique.jsonl.gz", "os.fsync"),
        ("unique.jsonl.gz", "os.fdopen"),
        ("unique-dir", "shutil.copyfile"),  # a kept text file
        ("unique-dir", "dedup.remove.open"),  # the filtered copy of a JSONL input
    ],
)
def test_full_disk_during_remove_leaves_nothing(
    corpus_jsonl: Path, txt_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, output: str, failing: str
) -> None:
    outdir = tmp_path / "out"
    outdir.mkdir()
    out = outdir / output
    before = {**tree_hashes(corpus_jsonl), **tree_hashes(txt_dir)}
    fault = {"os.fdopen": _full_fdopen, "dedup.remove.open": _full_open}.get(failing, _enospc)
    monkeypatch.setattr(failing, fault, raising=False)
    # The folder first: with --keep first its files are kept (copied), the JSONL copies of them dropped.
    result = run("remove", str(txt_dir), str(corpus_jsonl), "-o", str(out), "--workers", "1", "-q")
    assert result.exit_code == 2, result.output
    lines = errors_of(result)
    assert len(lines) == 1, lines
    assert lines[0].startswith("dedup: error: ") and "no space left on device" in lines[0]
    assert str(out) in lines[0], lines[0]  # names the output, not a hidden temporary file
    assert list(outdir.iterdir()) == []  # no output, no manifest, no temporary file
    assert {**tree_hashes(corpus_jsonl), **tree_hashes(txt_dir)} == before


def test_full_disk_while_writing_the_manifest(
    corpus_jsonl: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out" / "unique.jsonl"
    real_fsync, calls = os.fsync, []

    def fsync(fd: int) -> None:
        calls.append(fd)
        if len(calls) == 2:  # the first is the output, the second the manifest
            _enospc()
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    result = run("remove", str(corpus_jsonl), "-o", str(out), "--workers", "1", "-q")
    assert result.exit_code == 2, result.output
    lines = errors_of(result)
    assert len(lines) == 1 and f"{out}.manifest.json" in lines[0], lines
    # Without its manifest the removal could not be undone: the run leaves nothing rather than half a result.
    assert list(out.parent.iterdir()) == []


def test_full_disk_when_writing_a_scan_report(
    corpus_jsonl: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    report = tmp_path / "تقرير.json"
    report.write_text("old report\n", encoding="utf-8")
    monkeypatch.setattr(os, "fsync", _enospc)
    result = run("scan", str(corpus_jsonl), "--format", "json", "-o", str(report), "--workers", "1")
    assert result.exit_code == 2, result.output
    assert str(report) in errors_of(result)[-1]
    assert report.read_text(encoding="utf-8") == "old report\n"  # the old file, untouched
    assert leftovers(tmp_path) == []


# -- kill -9 in the middle of remove ---------------------------------------------------------------------------------


def _big_input(path: Path, n: int) -> Path:
    base = corpus_records()
    records = []
    for i in range(n):
        r = dict(base[i % len(base)])
        r["id"] = f"doc-{i}"
        r["text"] = f"{r['text']}\n\nرقم {i} number {i} " + " ".join(f"w{i}x{j}" for j in range(i % 40))
        records.append(r)
    return write_jsonl(path, records)


def _snapshot(out: Path) -> dict[str, bytes]:
    if out.is_dir():
        return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
    return {"": out.read_bytes()}


@pytest.mark.parametrize("output", ["out.jsonl", "out-dir"])
def test_kill_9_during_remove_leaves_a_complete_output_or_none(tmp_path: Path, output: str) -> None:
    src = _big_input(tmp_path / "big input.jsonl", 400)
    before = tree_hashes(src)
    cmd = [str(DEDUP), "remove", str(src), "-q", "--workers", "1", "-o"]
    ref = tmp_path / "ref" / output
    start = time.monotonic()
    subprocess.run([*cmd, str(ref)], check=True, timeout=60)
    took = time.monotonic() - start
    reference = _snapshot(ref)
    assert reference and all(json.loads(line) for data in reference.values() for line in data.split(b"\n") if line)
    seen_absent = False
    for fraction in (0.4, 0.8, 0.95):
        out = tmp_path / f"run{fraction}" / output
        out.parent.mkdir()
        proc = subprocess.Popen([*cmd, str(out)])
        time.sleep(took * fraction)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        manifest = Path(f"{out}.manifest.json")
        if out.exists():
            assert _snapshot(out) == reference  # complete, never half-written
        else:
            seen_absent = True
            assert not manifest.exists()  # no manifest pointing at a missing output
        if manifest.exists():
            assert json.loads(manifest.read_text(encoding="utf-8"))["output"] == str(out.resolve())
        # A kill -9 cannot clean up: a stray .out.jsonl.*.tmp file (or .out-dir.* staging folder) may stay
        # behind, but only under a hidden temporary name, never under the output's own.
        assert all(n.startswith(f".{output}.") for n in leftovers(out.parent))
    assert seen_absent, "every kill came too late to test anything; make the input bigger"
    assert tree_hashes(src) == before


def test_manifest_path_that_is_an_input_or_the_output_is_refused(
    corpus_jsonl: Path, txt_dir: Path, tmp_path: Path
) -> None:
    before = {**tree_hashes(corpus_jsonl), **tree_hashes(txt_dir)}
    out = tmp_path / "out.jsonl"
    for manifest in (corpus_jsonl, txt_dir / "saba" / "manifest.json", out):
        result = run("remove", str(corpus_jsonl), str(txt_dir), "-o", str(out), "--manifest", str(manifest), "-q")
        assert result.exit_code == 2, (manifest, result.output)
        assert str(manifest) in errors_of(result)[-1]
        assert not out.exists()
    assert {**tree_hashes(corpus_jsonl), **tree_hashes(txt_dir)} == before


def test_kill_9_between_output_and_manifest_leaves_no_stale_manifest(corpus_jsonl: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    manifest = Path(f"{out}.manifest.json")
    assert run("remove", str(corpus_jsonl), "-o", str(out), "-q").exit_code == 0
    assert json.loads(manifest.read_text(encoding="utf-8"))["dropped"]
    # A second run over other input, killed right after its output is in place and before its manifest: the
    # first run's manifest must not stay next to it, or `restore` would put the wrong records into it.
    other = write_jsonl(tmp_path / "other.jsonl", [record("solo", EN_TITLE, EN_TEXT)])
    code = (
        "import os, signal, sys; import dedup.remove as r; "
        "r.write_manifest = lambda *a, **k: os.kill(os.getpid(), signal.SIGKILL); "
        "from dedup.cli import app; sys.argv = ['dedup', *sys.argv[1:]]; app()"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, "remove", str(other), "-o", str(out), "-q", "--workers", "1"], timeout=60
    )
    assert proc.returncode == -signal.SIGKILL
    assert jsonl_records(out) == [record("solo", EN_TITLE, EN_TEXT)]
    assert not manifest.exists()


# -- determinism -------------------------------------------------------------------------------------------------------


def test_scan_of_the_fixtures_is_byte_identical_across_runs_and_workers() -> None:
    fixtures = str(ROOT / "fixtures")
    outputs = [run("scan", fixtures, "--format", "json", "-q", "--workers", str(w)).stdout for w in (1, 1, 2)]
    assert outputs[0] and json.loads(outputs[0])["documents"] > 0
    assert outputs[0] == outputs[1] == outputs[2]
    csv = [run("scan", fixtures, "--format", "csv", "-q", "--workers", str(w)).stdout for w in (1, 2)]
    assert csv[0] == csv[1]


@pytest.mark.parametrize("output", ["unique.jsonl", "unique-dir"])
def test_remove_twice_gives_identical_outputs_and_manifests(tmp_path: Path, output: str) -> None:
    fixtures = str(ROOT / "fixtures")
    out = tmp_path / output
    results = []
    for workers in ("1", "2"):
        result = run("remove", fixtures, "-o", str(out), "-q", "--workers", workers)
        assert result.exit_code == 0, result.output
        manifest = json.loads(Path(f"{out}.manifest.json").read_text(encoding="utf-8"))
        assert manifest["dropped"]
        manifest.pop("created")
        files = (
            {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
            if out.is_dir()
            else {"": out.read_bytes()}
        )
        results.append((files, manifest))
        shutil.rmtree(out) if out.is_dir() else out.unlink()
        Path(f"{out}.manifest.json").unlink()
    assert results[0] == results[1]


def test_full_disk_during_index_add_keeps_the_committed_batches(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlite3

    from dedup.index import open_index

    index = tmp_path / "news.sqlite"
    first = _big_input(tmp_path / "first.jsonl", 30)
    assert run("index", "add", str(first), "--index", str(index), "-q").exit_code == 0
    with open_index(str(index)) as opened:
        before = opened.stats()["documents"]
    assert before > 0
    # SQLite's page limit raises exactly what a full disk raises (SQLITE_FULL: "database or disk is full").
    real_connect = sqlite3.connect

    def nearly_full(*args, **kwargs):
        db = real_connect(*args, **kwargs)
        pages = db.execute("PRAGMA page_count").fetchone()[0]
        db.execute(f"PRAGMA max_page_count = {pages + 3}")
        return db

    monkeypatch.setattr(sqlite3, "connect", nearly_full)
    more = _big_input(tmp_path / "more.jsonl", 400)
    result = run("index", "add", str(more), "--index", str(index))
    monkeypatch.undo()
    assert result.exit_code == 2, result.output
    errors = errors_of(result)
    assert len(errors) == 1 and str(index) in errors[0] and "full" in errors[0], errors
    # The index still opens, passes SQLite's integrity check and holds at least what was committed before.
    with open_index(str(index)) as opened:
        assert opened.stats()["documents"] >= before
    db = sqlite3.connect(index)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    db.close()


# -- nothing lost: special files, unbounded reads, vanishing records, encodings, ids, overlaps, the umask ------------


def _limited(seconds: int = 60) -> dict[str, object]:
    """subprocess arguments that stop a run which hangs or reads without bound (instead of the machine)."""
    import resource

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))

    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    return {"preexec_fn": limit, "timeout": seconds, "capture_output": True, "text": True, "env": env}


def test_fifos_devices_and_sockets_are_skipped_with_one_line_each(tmp_path: Path) -> None:
    import socket

    d = tmp_path / "scraped"
    write_txt(d / "saba" / "aden.txt", AR_TITLE, AR_TEXT)
    write_txt(d / "okaz" / "aden-copy.txt", AR_COPY_TITLE, AR_COPY_TEXT)
    os.mkfifo(d / "saba" / "feed.jsonl")  # nobody writes to it: opening it to read would wait forever
    (d / "okaz" / "zero.txt").symlink_to("/dev/zero")  # reading it would fill the memory
    direct = tmp_path / "pipe.txt"
    os.mkfifo(direct)
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(d / "live.html"))
        (tmp_path / "zero-link.txt").symlink_to("/dev/zero")
        before = tree_hashes(d / "saba" / "aden.txt")
        start = time.monotonic()
        proc = subprocess.run(
            [
                str(DEDUP),
                "scan",
                str(d),
                str(direct),
                str(tmp_path / "zero-link.txt"),
                "--format",
                "json",
                "--workers",
                "1",
            ],
            **_limited(),
        )
    assert proc.returncode == 0, proc.stderr
    assert time.monotonic() - start < 60
    report = json.loads(proc.stdout)
    assert report["documents"] == 2 and len(report["clusters"]) == 1
    warnings = [ln for ln in proc.stderr.splitlines() if ln.startswith("dedup: warning:")]
    for path, kind in [
        (d / "saba" / "feed.jsonl", "named pipe"),
        (d / "okaz" / "zero.txt", "character device"),
        (direct, "named pipe"),
        (tmp_path / "zero-link.txt", "character device"),
        (d / "live.html", "socket"),
    ]:
        assert sum(f"{path}: " in w and kind in w for w in warnings) == 1, (path, warnings)
    assert tree_hashes(d / "saba" / "aden.txt") == before


def test_an_over_long_jsonl_line_is_never_held_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import tracemalloc

    monkeypatch.setattr(dedup.io.read, "MAX_DOCUMENT_BYTES", 1 << 20)
    src = tmp_path / "dump.jsonl"
    with open(src, "w", encoding="utf-8") as f:
        f.write(json.dumps(record("a", AR_TITLE, AR_TEXT), ensure_ascii=False) + "\n")
        huge = '{"id": "log", "text": "' + "x" * (60 << 20) + '"}\n'  # a 60 MB line: a log, not an article
        f.write(huge)
        del huge
        f.write(json.dumps(record("b", EN_TITLE, EN_TEXT)) + "\n")
    problems: list[str] = []
    tracemalloc.start()
    try:
        ids = [doc.id for doc in dedup.io.read.Reader(on_problem=lambda p: problems.append(str(p))).read([str(src)])]
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert ids == ["a", "b"]
    assert problems == [f"{src}:2: record too large ({(60 << 20) + 26} bytes > {1 << 20}); line skipped"]
    assert peak < 8 << 20, peak  # the limit and a chunk, never the line


def test_records_that_are_not_documents_survive_remove_and_restore(tmp_path: Path) -> None:
    rows = corpus_records()
    lines = [json.dumps(r, ensure_ascii=False) for r in rows]
    bad = [
        '{"id": "cut", "text": "وصلت إلى مطار',
        "[]",
        '{"id": "x", "body": "wrong field"}',
        "null",
        '{"id": "y", "text": null}',
        "{",
        '{"url": "https://www.spa.gov.sa/1"}',
        "",
        "\t",
        "7",
    ]
    feed = "\n".join(line for pair in zip(lines + [""] * 3, bad) for line in pair).encode("utf-8")
    src = tmp_path / "feed.jsonl"
    src.write_bytes(feed)
    for output in ("unique.jsonl", "unique-dir"):
        out = tmp_path / output
        result = run("remove", str(src), "-o", str(out), "--workers", "1")
        assert result.exit_code == 0, result.output
        assert len(warnings_of(result)) == 8  # one line each for the lines that are not documents; none for blanks
        written = out / "feed.jsonl" if out.is_dir() else out
        assert all(line.encode() in written.read_bytes() for line in bad)
        assert run("restore", f"{out}.manifest.json").exit_code == 0
        assert written.read_bytes() == feed


def test_text_files_that_are_not_utf8_are_read(tmp_path: Path) -> None:
    d = tmp_path / "scraped"
    write_txt(d / "saba" / "aden.txt", AR_TITLE, AR_TEXT)
    (d / "legacy").mkdir()
    (d / "legacy" / "aden-1256.txt").write_bytes(f"{AR_COPY_TITLE}\r\n{AR_COPY_TEXT}".encode("windows-1256", "replace"))
    (d / "legacy" / "strike-1252.txt").write_bytes(f"{EN_TITLE}\n{EN_TEXT} – “quoted”".encode("windows-1252"))
    (d / "legacy" / "feed.jsonl").write_bytes(
        jsonl_text([record("spa-1256", AR_OTHER_TITLE, AR_OTHER_TEXT)]).encode("windows-1256", "replace")
    )
    result = run("scan", str(d), "--format", "json", "--workers", "1")
    assert result.exit_code == 0 and warnings_of(result) == [], result.output
    report = json.loads(result.stdout)
    assert report["documents"] == 4
    (cluster,) = report["clusters"]  # the windows-1256 copy is found as the copy it is
    assert sorted(Path(m["id"]).name for m in cluster["members"]) == ["aden-1256.txt", "aden.txt"]
    docs = {Path(d.path or "").name + ":" + d.id: d for d in _clean_documents([str(d)])}
    encodings = sorted(doc.meta["_encoding"] for doc in docs.values())
    assert encodings == ["utf-8", "windows-1252", "windows-1256", "windows-1256"]


def test_ids_are_the_same_however_the_folder_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from dedup.index import open_index

    monkeypatch.chdir(tmp_path)
    write_txt(tmp_path / "D" / "seeds" / "aden.txt", AR_TITLE, AR_TEXT)
    write_txt(tmp_path / "D" / "seeds" / "strike.txt", EN_TITLE, EN_TEXT)
    write_txt(tmp_path / "D" / "other" / "budget.txt", EN_OTHER_TITLE, EN_OTHER_TEXT)
    for spelling in ("D/seeds", "D", "./D/", str(tmp_path / "D")):
        assert run("index", "add", spelling, "--index", "news.sqlite", "-q").exit_code == 0
    with open_index("news.sqlite") as index:
        assert index.stats()["documents"] == 3  # each file once, not once per spelling
    result = run("scan", "D", "--format", "json", "--workers", "1")
    ids = {m["id"] for c in json.loads(result.stdout)["clusters"] for m in c["members"]}
    assert ids <= {"D/seeds/aden.txt", "D/seeds/strike.txt", "D/other/budget.txt"}


def test_remove_refuses_an_output_that_is_a_hard_link_to_an_input(corpus_jsonl: Path, tmp_path: Path) -> None:
    link = tmp_path / "same-file.jsonl"
    os.link(corpus_jsonl, link)
    before = tree_hashes(corpus_jsonl)
    for args in (["-o", str(link)], ["-o", str(tmp_path / "out.jsonl"), "--manifest", str(link)]):
        result = run("remove", str(corpus_jsonl), *args)
        assert result.exit_code == 2, result.output
        (line,) = errors_of(result)
        assert f"would overwrite input {corpus_jsonl}" in line
    assert tree_hashes(corpus_jsonl) == before and os.path.samefile(link, corpus_jsonl)
    assert not (tmp_path / "out.jsonl").exists()


@pytest.mark.parametrize("output", ["unique.jsonl", "unique-dir"])
def test_outputs_follow_the_umask(txt_dir: Path, corpus_jsonl: Path, tmp_path: Path, output: str) -> None:
    out = tmp_path / "results" / output
    proc = subprocess.run(
        [
            "sh",
            "-c",
            'umask 022 && exec "$@"',
            "sh",
            str(DEDUP),
            "remove",
            str(txt_dir),
            str(corpus_jsonl),
            "-o",
            str(out),
            "-q",
            "--workers",
            "1",
        ],
        timeout=120,
    )
    assert proc.returncode == 0
    written = [out, *out.rglob("*"), Path(f"{out}.manifest.json")]
    modes = {p.name: oct(stat.S_IMODE(p.stat().st_mode)) for p in written}
    assert modes == {p.name: "0o755" if p.is_dir() else "0o644" for p in written}
