"""The pre-commit hook's cache: what each committed file's documents fingerprinted to, kept between commits.

``.dedup-cache/fingerprints.npz`` at the top of the corpus repository (:data:`CACHE_DIR`) holds, for each
file, the content key it was read at (its git blob id) and, for each of its documents, what the hook needs to
compare it without reading the file again (:class:`Columns`): its id, site, date, word count, digest, MinHash
signature, the hashes of its normalised lines, which of those lines were stripped as site boilerplate when the
signature was taken, and the distinct line hashes the site-boilerplate learner counts. An entry is used only
while the file's path and content key and every setting that shapes a fingerprint (:func:`cache_key`) are
unchanged; anything else is read and fingerprinted again.

The folder is safe to delete at any time (the next commit rebuilds it, as slowly as the first one) and is never
committed: :func:`exclude_from_git` adds it to the repository's ``.git/info/exclude``. A cache that cannot be
read or written is only a cache: the hook then runs without it.

>>> import tempfile
>>> cache = FingerprintCache(Path(tempfile.mkdtemp()) / CACHE_DIR / CACHE_FILE, key="key-1")
>>> lines, seen = np.array([7, 8], dtype=np.uint64), np.array([8], dtype=np.uint64)
>>> doc = Columns.of_rows([("a.txt", "news", None, 12, "d1", np.arange(4, dtype=np.uint32), lines,
...                         np.array([False, True]), seen, np.arange(20, dtype=np.uint64))])
>>> cache.save([("a.txt", "blob-1"), ("empty.jsonl", "blob-2")], [1, 0], doc)
>>> files, columns = cache.load(num_perm=4)
>>> files, columns.ids, columns.masks.tolist()
({'a.txt': ('blob-1', 0, 1), 'empty.jsonl': ('blob-2', 1, 1)}, ['a.txt'], [False, True])
>>> FingerprintCache(cache.path, key="other settings").load(num_perm=4)[0]
{}
"""

from __future__ import annotations

import hashlib
import importlib.resources
import json
import operator
import os
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from dedup.clean import Cleaner
from dedup.document import Document
from dedup.fingerprint import Fingerprinter
from dedup.normalize import normalize
from dedup.settings import Settings
from dedup.version import __version__

CACHE_DIR = ".dedup-cache"
CACHE_FILE = "fingerprints.npz"
FORMAT = 1  # bump when what is stored changes

# A page whose fingerprint shows a change in line rules, normalisation, shingling or MinHash (a dev build's
# version number stays the same when they change): part of the cache key.
_PROBE = Document(id="probe", title="عاجل: الأمطار تغمر الطرق", text=(
    "هطلت أمطار غزيرة على المدينة يوم الإثنين ٢٠ يوليو، وأغلقت الطرق الرئيسية.\n"
    "The port strike entered its third day as talks stalled.\nشارك هذا الخبر\nShare this article"
))  # fmt: skip

Row = tuple[str, str | None, str | None, int, str, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]
"""One document: id, source, date, words, digest, signature, line hashes, boilerplate mask, distinct hashes,
story keys."""


def _segments(ends: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Indexes into a flat array of the segments ``rows`` (segment i is ``ends[i]:ends[i + 1]``), in order."""
    starts, sizes = ends[rows], ends[rows + 1] - ends[rows]
    total = int(sizes.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    return np.arange(total, dtype=np.int64) + np.repeat(starts - (np.cumsum(sizes) - sizes), sizes)


@dataclass
class Columns:
    """Documents side by side: entry ``i`` of every column is document ``i``; the per-line columns are flat,
    document ``i``'s lines at ``line_ends[i]:line_ends[i + 1]`` (``seen`` at ``seen_ends``)."""

    ids: list[str]
    sources: list[str | None]
    dates: list[str | None]
    words: np.ndarray  # int64
    digests: list[str]
    signatures: np.ndarray  # n x num_perm uint32
    lines: np.ndarray  # uint64 line hashes of each page, title first (dedup.clean.Page.hashes)
    line_ends: np.ndarray  # n + 1
    masks: np.ndarray  # bool per line: stripped as site boilerplate when the signature was taken
    seen: np.ndarray  # the distinct non-zero hashes of each page's text lines: what the site learner counts
    seen_ends: np.ndarray  # n + 1
    stories: np.ndarray  # each page's story keys (dedup.clean.site.story_keys; none without a site)
    story_ends: np.ndarray  # n + 1

    def __len__(self) -> int:
        return len(self.ids)

    @classmethod
    def of_rows(cls, rows: Sequence[Row], num_perm: int | None = None) -> Columns:
        width = num_perm if num_perm is not None else (rows[0][5].size if rows else 0)
        signatures = (np.stack([r[5] for r in rows]).astype(np.uint32, copy=False) if rows
                      else np.zeros((0, width), dtype=np.uint32))  # fmt: skip
        return cls(
            [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows],
            np.fromiter((r[3] for r in rows), dtype=np.int64, count=len(rows)), [r[4] for r in rows], signatures,
            *_flat([r[6] for r in rows], np.uint64), np.concatenate([r[7] for r in rows]).astype(bool) if rows
            else np.zeros(0, dtype=bool), *_flat([r[8] for r in rows], np.uint64),
            *_flat([r[9] for r in rows], np.uint64),
        )  # fmt: skip

    @classmethod
    def concat(cls, parts: Sequence[Columns], num_perm: int) -> Columns:
        if not parts:
            return cls.of_rows([], num_perm)
        line_ends = _join_ends([p.line_ends for p in parts])
        seen_ends = _join_ends([p.seen_ends for p in parts])
        story_ends = _join_ends([p.story_ends for p in parts])
        return cls(
            [x for p in parts for x in p.ids], [x for p in parts for x in p.sources],
            [x for p in parts for x in p.dates], np.concatenate([p.words for p in parts]),
            [x for p in parts for x in p.digests], np.concatenate([p.signatures for p in parts]),
            np.concatenate([p.lines for p in parts]), line_ends, np.concatenate([p.masks for p in parts]),
            np.concatenate([p.seen for p in parts]), seen_ends, np.concatenate([p.stories for p in parts]),
            story_ends,
        )  # fmt: skip

    def take(self, rows: np.ndarray) -> Columns:
        """These documents, in this order."""
        rows = np.asarray(rows, dtype=np.int64)
        lines, seen = _segments(self.line_ends, rows), _segments(self.seen_ends, rows)
        stories = _segments(self.story_ends, rows)
        pick = _picker(rows.tolist())
        return Columns(
            pick(self.ids), pick(self.sources), pick(self.dates),
            self.words[rows], pick(self.digests), self.signatures[rows], self.lines[lines],
            _ends(self.line_ends[rows + 1] - self.line_ends[rows]), self.masks[lines], self.seen[seen],
            _ends(self.seen_ends[rows + 1] - self.seen_ends[rows]), self.stories[stories],
            _ends(self.story_ends[rows + 1] - self.story_ends[rows]),
        )  # fmt: skip

    def line_sizes(self) -> np.ndarray:
        return np.diff(self.line_ends)


def _picker(rows: list[int]) -> Callable[[list], list]:
    """``pick(items)``: ``[items[i] for i in rows]``, in C (a column of 15,000 strings on every commit)."""
    if len(rows) < 2:  # itemgetter of one index returns the item, not a tuple; of none, fails
        return lambda items: [items[i] for i in rows]
    get = operator.itemgetter(*rows)
    return lambda items: list(get(items))


def _ends(sizes: np.ndarray) -> np.ndarray:
    return np.concatenate(([0], np.cumsum(sizes))).astype(np.int64)


def _flat(arrays: Sequence[np.ndarray], dtype: type) -> tuple[np.ndarray, np.ndarray]:
    sizes = np.fromiter((a.size for a in arrays), dtype=np.int64, count=len(arrays))
    flat = np.concatenate(arrays).astype(dtype, copy=False) if arrays else np.zeros(0, dtype=dtype)
    return flat, _ends(sizes)


def _join_ends(ends: Sequence[np.ndarray]) -> np.ndarray:
    return _ends(np.concatenate([np.diff(e) for e in ends]))


def cache_key(settings: Settings, cleaner: Cleaner, fingerprinter: Fingerprinter, prefix: str) -> str:
    """Everything a cached fingerprint depends on besides the file itself: the format, dedup's version, the
    shingle and MinHash settings, normalisation, the line rules (built-in and user), the JSONL field names, a
    probe page's fingerprint, and ``prefix`` (the working directory inside the repository: ids are paths
    relative to it).

    Site-boilerplate settings are not in the key: what a site's boilerplate is depends on the whole corpus
    anyway, and is learned again on every run (the stored line hashes and masks are what make that cheap).
    """
    rules = importlib.resources.files("dedup.clean").joinpath("rules.toml").read_bytes()
    if settings.rules_file is not None:
        rules += b"\0" + Path(settings.rules_file).read_bytes()
    page = cleaner.clean_page(_PROBE)
    probe = fingerprinter.signatures([fingerprinter.text_shingles(normalize(page.full_text, settings.normalize))])
    fields = settings.fields
    parts = {
        "format": FORMAT,
        "version": __version__,
        "ngram": settings.ngram,
        "num_perm": settings.num_perm,
        "seed": settings.seed,
        "normalize": settings.normalize.signature(),
        "fields": [fields.id, fields.text, fields.html, fields.title, fields.url, fields.date, fields.source],
        "rules": hashlib.blake2b(rules, digest_size=12).hexdigest(),
        "probe": hashlib.blake2b(probe.astype("<u4").tobytes(), digest_size=12).hexdigest(),
        "prefix": prefix,
    }
    return json.dumps(parts, sort_keys=True, ensure_ascii=False)


def exclude_from_git(exclude_file: Path) -> None:
    """Add ``/.dedup-cache/`` to a repository's ``info/exclude`` (once), so that git never sees the cache."""
    line = f"/{CACHE_DIR}/"
    try:
        text = exclude_file.read_text(encoding="utf-8") if exclude_file.exists() else ""
        if line not in text.splitlines():
            exclude_file.parent.mkdir(parents=True, exist_ok=True)
            with exclude_file.open("a", encoding="utf-8") as handle:
                handle.write(("" if not text or text.endswith("\n") else "\n") + f"# dedup precommit's cache\n{line}\n")
    except (OSError, UnicodeDecodeError):
        pass  # then git lists the folder as untracked; it is still never read as a document


def cache_path(top: str | os.PathLike[str]) -> Path:
    """Where the cache of the repository whose top folder is ``top`` lives."""
    return Path(top) / CACHE_DIR / CACHE_FILE


class FingerprintCache:
    """The cache file of one repository for one :func:`cache_key`: :meth:`load` it whole, :meth:`save` it whole.

    One snapshot, read in one go (numpy arrays and one JSON list of strings: no Python object per document and
    per column, as rows of a database would make on every commit) and replaced atomically (a temporary file
    renamed over it: two runs at once each leave a complete snapshot). Arrays are stored without pickling: a
    cache file is data, never code.
    """

    def __init__(self, path: Path, key: str) -> None:
        self.path = path
        self.key = key

    def load(self, num_perm: int) -> tuple[dict[str, tuple[str, int, int]], Columns]:
        """Every cached file, path → (content key, its first document, the one after its last), and the
        documents; nothing when the cache is missing, unreadable or was written with other settings."""
        empty: tuple[dict[str, tuple[str, int, int]], Columns] = ({}, Columns.of_rows([], num_perm))
        try:
            with np.load(self.path, allow_pickle=False) as data:
                meta = json.loads(data["meta"].tobytes().decode("utf-8"))
                if meta.get("key") != self.key:
                    return empty
                arrays = {name: data[name] for name in _ARRAYS}
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile, UnicodeDecodeError):
            return empty
        n = len(meta["ids"])
        ends = _ends(np.asarray(meta["docs"], dtype=np.int64)).tolist()
        files = dict(zip(meta["paths"], zip(meta["contents"], ends[:-1], ends[1:])))
        columns = Columns(meta["ids"], meta["sources"], meta["dates"], arrays["words"], meta["digests"],
                          arrays["signatures"], arrays["lines"], arrays["line_ends"], arrays["masks"],
                          arrays["seen"], arrays["seen_ends"], arrays["stories"], arrays["story_ends"])  # fmt: skip
        if (ends[-1] != n or columns.signatures.shape != (n, num_perm) or columns.line_ends.size != n + 1
                or columns.seen_ends.size != n + 1 or columns.masks.size != columns.lines.size
                or columns.story_ends.size != n + 1):  # fmt: skip
            return empty
        return files, columns

    def save(self, files: Sequence[tuple[str, str]], sizes: Sequence[int], docs: Columns) -> None:
        """Replace the cache with these files (path, content key), holding ``sizes`` documents each: the
        documents of ``docs``, one file after the other."""
        meta = {
            "key": self.key, "paths": [p for p, _ in files], "contents": [c for _, c in files], "docs": list(sizes),
            "ids": docs.ids, "sources": docs.sources, "dates": docs.dates, "digests": docs.digests,
        }  # fmt: skip
        arrays = {name: getattr(docs, name) for name in _ARRAYS}
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(tmp, "wb") as handle:
                np.savez(handle, meta=np.frombuffer(json.dumps(meta, ensure_ascii=False).encode(), dtype=np.uint8),
                         **arrays)  # fmt: skip
            os.replace(tmp, self.path)
        except OSError:
            tmp.unlink(missing_ok=True)  # a cache that cannot be written is only a cache


_ARRAYS = ("words", "signatures", "lines", "line_ends", "masks", "seen", "seen_ends", "stories", "story_ends")
