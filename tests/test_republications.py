"""One wire story republished by four outlets, each page in its outlet's own template with its own publication
line, dateline and byline (issue #17, class 3): read as HTML files (one folder per outlet) or from a WARC (one host
per outlet), the four pages form one cluster. Site learning cannot strip the publication lines (each outlet has one
page of the story), so the template test must not read them as changed facts.

The templates are the fixtures' real pages of the four sites (``fixtures/sites``): the story's paragraphs take the
place of the article's own; the site's other pages stay beside it, as a crawl holds them.
"""

from __future__ import annotations

import html
import re
from io import BytesIO
from pathlib import Path

import pytest
from test_page_dates import BODY, PAGES, TITLE

from dedup.pipeline import scan
from dedup.settings import Settings

SITES = Path(__file__).resolve().parent.parent / "fixtures" / "sites"
FOLDER = {
    "alwatan-news.sy": "alwatan-news",
    "sham-times.net": "sham-times",
    "levant24.com": "levant24",
    "halab-today.net": "halab-today",
}
TEMPLATE = {
    "alwatan-news.sy": "sharaa-condolence-cable-trump.html",
    "sham-times.net": "syrian-american-diplomatic-moves-palmyra.html",
    "levant24.com": "palmyra-attack-sharaa-condolences.html",
    "halab-today.net": "syria-condolences-washington-palmyra.html",
}
_PARAGRAPH = re.compile(r"<p>(?:(?!</p>).){80,}?</p>\s*", re.S)  # an article paragraph (menus and ads are short)


def story_page(host: str) -> str:
    """The outlet's template with the story in place of its article: publication line, dateline, byline."""
    template = (SITES / FOLDER[host] / TEMPLATE[host]).read_text(encoding="utf-8")
    head, dateline, foot = PAGES[host]
    lines = [head, f"{dateline} {BODY[0]}", *BODY[1:], foot]
    body = "".join(f"<p>{html.escape(x)}</p>\n" for x in lines if x)
    first = _PARAGRAPH.search(template)
    assert first is not None, host
    rest = _PARAGRAPH.sub("", template[first.start() :])
    page = template[: first.start()] + body + rest
    return re.sub(r"<title>.*?</title>", f"<title>{html.escape(TITLE)}</title>", page, count=1, flags=re.S)


def crawl(host: str) -> dict[str, str]:
    """The outlet's pages: the story and the site's other fixture pages (other articles on the same event)."""
    pages = {f"story-{FOLDER[host]}": story_page(host)}
    for path in sorted((SITES / FOLDER[host]).glob("*.html")):
        if path.name != TEMPLATE[host]:
            pages[path.stem] = path.read_text(encoding="utf-8")
    return pages


def story_cluster(result) -> list[list[str]]:
    """The clusters holding story pages, as sorted lists of their story pages."""
    ids = [d.id for d in result.documents]
    found = []
    for c in result.clusters:
        stories = sorted(Path(ids[m]).stem for m, _ in c.members if "story-" in ids[m])
        if stories:
            found.append(stories)
    return found


EXPECTED = [sorted(f"story-{folder}" for folder in FOLDER.values())]


def test_the_four_outlets_pages_of_one_story_cluster_together_from_folders(tmp_path: Path) -> None:
    for host in PAGES:
        folder = tmp_path / FOLDER[host]
        folder.mkdir()
        for name, page in crawl(host).items():
            (folder / f"{name}.html").write_text(page, encoding="utf-8")
    result = scan([str(tmp_path)], Settings())
    assert story_cluster(result) == EXPECTED
    assert not any("story-" in result.documents[x].id for link in result.template_links for x in (link.a, link.b))


def test_the_four_outlets_pages_of_one_story_cluster_together_from_a_warc(tmp_path: Path) -> None:
    pytest.importorskip("warcio", reason="warcio is not installed")
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    buf = BytesIO()
    writer = WARCWriter(buf, gzip=True)
    for host in PAGES:
        for name, page in crawl(host).items():
            http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            record = writer.create_warc_record(
                f"https://{host}/ar/{name}",
                "response",
                payload=BytesIO(page.encode()),
                http_headers=http,
                warc_headers_dict={"WARC-Date": "2025-12-15T08:00:00Z"},
            )
            writer.write_record(record)
    path = tmp_path / "crawl.warc.gz"
    path.write_bytes(buf.getvalue())
    result = scan([str(path)], Settings())
    ids = [d.id for d in result.documents]
    assert sum("story-" in i for i in ids) == 4
    assert story_cluster(result) == EXPECTED
