"""Reading web archives: ``.warc`` and ``.warc.gz`` files, through warcio.

Every HTML ``response`` (or ``resource``) record becomes a :class:`~dedup.document.Document` whose ``html`` the
cleaner extracts, with the record's target URL (also its id) and ``WARC-Date`` as metadata. Other records
(requests, metadata, images, PDFs, redirects and error pages) are skipped silently. Damaged records are reported
and skipped: a record the crawler marked ``WARC-Truncated``, one whose body ends before its declared length, and a
file cut off in the middle (after which nothing more can be read).

>>> import io
>>> list(read_warc_stream(io.BytesIO(b""), "empty.warc", lambda where, msg: None))
[]
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

from dedup.document import Document
from dedup.errors import InputError
from dedup.io.files import open_regular
from dedup.io.records import MAX_DOCUMENT_BYTES, source_of

WARC_SUFFIXES = (".warc", ".warc.gz")
Report = Callable[[str, str], None]


def _is_html(content_type: str | None) -> bool:
    kind = (content_type or "").split(";")[0].strip().lower()
    return kind in ("text/html", "application/xhtml+xml")


def read_warc_stream(stream: IO[bytes], where: str, report: Report, path: str | None = None) -> Iterator[Document]:
    """Documents of the HTML records of one WARC stream (gzipped or not); problems go to ``report(where, msg)``.

    ``path`` is the archive's file, kept in each document's ``path`` (``remove`` writes them next to it).
    """
    try:
        from warcio.archiveiterator import ArchiveIterator
    except ImportError:  # pragma: no cover - a core dependency
        report(where, "reading WARC files needs warcio (pip install warcio); file skipped")
        return
    records = ArchiveIterator(stream, no_record_parse=False, arc2warc=True)
    try:
        for record in records:
            if record.rec_type not in ("response", "resource"):
                continue
            url = record.rec_headers.get_header("WARC-Target-URI")
            http = record.http_headers
            content_type = http.get_header("Content-Type") if http is not None else record.content_type
            status = http.get_statuscode() if http is not None and record.rec_type == "response" else "200"
            if not _is_html(content_type) or not str(status).startswith("2"):
                continue
            body = record.content_stream().read(MAX_DOCUMENT_BYTES + 1)
            loc = f"{where}@{records.get_record_offset()}"
            declared = record.rec_headers.get_header("WARC-Truncated")
            if declared:
                report(loc, f"truncated record ({declared}) for {url}; skipped")
                continue
            missing = getattr(record.raw_stream, "limit", 0)
            if missing:
                report(loc, f"record for {url} ends {missing} bytes before its declared length; skipped")
                continue
            if len(body) > MAX_DOCUMENT_BYTES:
                report(loc, f"record for {url} too large (> {MAX_DOCUMENT_BYTES} bytes); skipped")
                continue
            yield Document(
                id=url or record.rec_headers.get_header("WARC-Record-ID") or loc,
                text="",
                html=body,
                url=url,
                source=source_of(url, None, None),
                date=record.rec_headers.get_header("WARC-Date"),
                origin=loc,
                path=path,
                meta={"warc_record_id": record.rec_headers.get_header("WARC-Record-ID")},
            )
    except InputError:  # strict mode: the report itself stops the run
        raise
    except Exception as err:  # warcio raises plain exceptions of several kinds on damaged input
        report(where, f"damaged WARC data ({type(err).__name__}: {err}); rest of the file skipped")


def _gzip_complete(stream: IO[bytes]) -> str | None:
    """Why the gzip stream of ``stream`` is incomplete, or ``None`` when it ends cleanly."""
    try:
        with gzip.GzipFile(fileobj=stream) as f:
            while f.read(1 << 20):
                pass
    except (OSError, EOFError, zlib.error) as err:
        return str(err) or type(err).__name__
    return None


def read_warc(path: Path, report: Report, stream: IO[bytes] | None = None) -> Iterator[Document]:
    """Documents of the HTML records of a ``.warc`` or ``.warc.gz`` file (``stream``: the file, opened).

    A ``.warc.gz`` cut off mid-record loses its last records without warcio noticing; its gzip stream is checked
    to the end afterwards so that the loss is reported.
    """
    where = str(path)
    if stream is None:
        try:
            stream = open_regular(path)
        except OSError as err:
            report(where, f"cannot read ({(err.strerror or str(err)).lower()})")
            return
    with stream:
        yield from read_warc_stream(stream, where, report, where)
        if path.name.lower().endswith(".gz"):
            stream.seek(0)
            problem = _gzip_complete(stream)
            if problem is not None:
                report(where, f"file is truncated ({problem}); records after the last complete one are missing")
