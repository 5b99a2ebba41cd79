"""WARC input: HTML records become cleaned documents with URL and date; everything else is skipped, damaged
records are reported."""

from __future__ import annotations

import json
from io import BytesIO
from pathlib import Path

import pytest
from conftest import AR_PARAS, AR_TITLE, EN_PARAS, EN_TITLE
from typer.testing import CliRunner

from dedup.cli import app
from dedup.io import InputProblem, Reader
from dedup.pipeline import Pipeline
from dedup.settings import Settings

warcio = pytest.importorskip("warcio", reason="warcio is not installed")
from warcio.statusandheaders import StatusAndHeaders  # noqa: E402
from warcio.warcwriter import WARCWriter  # noqa: E402


def page(title: str, paras: list[str]) -> bytes:
    body = "".join(f"<p>{p}</p>" for p in paras)
    return (
        f"<html><head><meta charset='utf-8'><title>{title}</title></head><body><nav><a href='/'>Home</a></nav>"
        f"<article><h1>{title}</h1>{body}</article><footer>© 2024</footer></body></html>"
    ).encode()


def response(
    writer: WARCWriter,
    url: str,
    body: bytes,
    content_type: str = "text/html; charset=utf-8",
    status: str = "200 OK",
    extra: list[tuple[str, str]] | None = None,
):
    http = StatusAndHeaders(status, [("Content-Type", content_type)], protocol="HTTP/1.1")
    headers = {"WARC-Date": "2024-03-10T08:00:00Z", **dict(extra or [])}
    return writer.create_warc_record(
        url, "response", payload=BytesIO(body), http_headers=http, warc_headers_dict=headers
    )


def write_warc(path: Path, cut_last: bool = True) -> Path:
    buf = BytesIO()
    writer = WARCWriter(buf, gzip=path.name.endswith(".gz"))
    writer.write_record(writer.create_warcinfo_record(path.name, {"software": "test"}))
    writer.write_record(response(writer, "https://www.saba.ye/ar/news/1", page(AR_TITLE, AR_PARAS)))
    writer.write_record(
        writer.create_warc_record(
            "https://www.saba.ye/ar/news/1", "request", payload=BytesIO(b"GET / HTTP/1.1\r\n\r\n")
        )
    )
    writer.write_record(response(writer, "https://www.saba.ye/logo.png", b"\x89PNG\r\n" + bytes(500), "image/png"))
    writer.write_record(response(writer, "https://www.saba.ye/missing", b"<html>gone</html>", status="404 Not Found"))
    writer.write_record(
        response(
            writer, "https://www.saba.ye/ar/news/2", page(AR_TITLE, AR_PARAS[:2]), extra=[("WARC-Truncated", "length")]
        )
    )
    writer.write_record(response(writer, "https://www.reuters.com/world/uk/1", page(EN_TITLE, EN_PARAS)))
    writer.write_record(response(writer, "https://www.reuters.com/world/uk/2", page(EN_TITLE, EN_PARAS * 3)))
    data = buf.getvalue()
    path.write_bytes(data[: len(data) - 700] if cut_last else data)
    return path


def read(path: Path) -> tuple[list, list[InputProblem]]:
    problems: list[InputProblem] = []
    docs = list(Reader(on_problem=problems.append).read([str(path)]))
    return docs, problems


def test_plain_warc_html_records_with_metadata(tmp_path: Path) -> None:
    docs, problems = read(write_warc(tmp_path / "crawl.warc"))
    assert [d.id for d in docs] == ["https://www.saba.ye/ar/news/1", "https://www.reuters.com/world/uk/1"]
    first = docs[0]
    assert (first.url, first.date, first.source) == ("https://www.saba.ye/ar/news/1", "2024-03-10T08:00:00Z", "saba.ye")
    assert first.origin.startswith(f"{tmp_path / 'crawl.warc'}@")
    messages = [str(p) for p in problems]
    assert len(messages) == 2, messages
    assert "truncated record (length) for https://www.saba.ye/ar/news/2; skipped" in messages[0]
    assert "https://www.reuters.com/world/uk/2 ends" in messages[1] and "before its declared length" in messages[1]


def test_gzipped_warc_cut_mid_record_is_reported(tmp_path: Path) -> None:
    docs, problems = read(write_warc(tmp_path / "crawl.warc.gz"))
    assert [d.id for d in docs] == ["https://www.saba.ye/ar/news/1", "https://www.reuters.com/world/uk/1"]
    assert any("truncated record (length)" in str(p) for p in problems)
    assert any("file is truncated" in str(p) for p in problems), [str(p) for p in problems]


def test_intact_warc_gz_reports_only_declared_truncation(tmp_path: Path) -> None:
    docs, problems = read(write_warc(tmp_path / "ok.warc.gz", cut_last=False))
    assert len(docs) == 3 and len(problems) == 1


def test_warc_html_goes_through_the_cleaner(tmp_path: Path) -> None:
    path = write_warc(tmp_path / "crawl.warc.gz", cut_last=False)
    docs = list(Pipeline(Settings(site_boilerplate=False)).documents([str(path)]))
    assert docs[0].title == AR_TITLE and "مطار عدن الدولي" in docs[0].text
    assert "Home" not in docs[0].text and "2024" not in docs[0].text.splitlines()[-1][:6]
    result = CliRunner().invoke(app, ["scan", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    [cluster] = json.loads(result.stdout)["clusters"]  # the two Reuters pages share their whole text
    assert {m["id"] for m in cluster["members"]} == {
        "https://www.reuters.com/world/uk/1",
        "https://www.reuters.com/world/uk/2",
    }


def test_strict_mode_stops_at_a_bad_record(tmp_path: Path) -> None:
    from dedup.io import InputError

    with pytest.raises(InputError, match="truncated record"):
        list(Reader(strict=True).read([str(write_warc(tmp_path / "c.warc"))]))
