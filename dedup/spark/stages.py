"""The Spark engine's per-batch stages: Arrow batches in, Arrow batches out, the project's own functions inside.

Spark runs these in its Python workers (``mapInArrow``); they import nothing from pyspark, so they are tested
without it. Each wraps the function the local engine runs, so both engines clean, fingerprint and verify alike:

* :func:`clean_batch`: :meth:`dedup.clean.Cleaner.clean_page_keyed` (HTML extraction, line rules), and what the
  site learner counts of each page (:func:`dedup.clean.site_observations`: line hashes and story keys);
* :func:`fingerprint_batch`: :func:`dedup.pipeline.workers.fingerprint` (site boilerplate stripped, normalised,
  shingled, signed, excerpt windows signed), plus the LSH band keys (:func:`dedup.lsh.band_hashes`) of the
  document and of each of its windows;
* :func:`chance_filter`: :func:`dedup.lsh.drop_chance_collisions` on candidate pairs;
* :func:`verify_shingles` then :func:`verify_links`: :func:`dedup.cluster.verify`, first on the shingle sets
  alone, then with the template and coverage tests for the pairs that passed.

Numpy arrays travel as ``binary`` columns (their raw bytes); 64-bit hashes as ``int64`` (same bits).

>>> from dedup.document import Document
>>> from dedup.spark.read import documents_batch
>>> s = Settings(site_boilerplate=False)
>>> state = stage_state(s)
>>> pages = clean_batch(state, documents_batch([Document(id="a", text="Port strike.\\nShare this article")], 0))
>>> pages.column("text").to_pylist()
['Port strike.']
>>> fp = fingerprint_batch(state, pages, {0: 0}, {})
>>> fp.column("idx").to_pylist(), fp.column("words").to_pylist(), len(fp.column("bands")[0])
([0], [2], 64)
"""

from __future__ import annotations

import datetime
import json
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, fields

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from dedup.clean import Cleaner, LineRules, Page, SiteBoilerplate, site_observations
from dedup.cluster import DUPLICATE, VerifyOptions, judged_below, verify
from dedup.document import DocInfo, Document
from dedup.evidence import Evidence, judge_with_titles
from dedup.fingerprint import Fingerprinter, jaccard_containment
from dedup.io import FieldNames
from dedup.lsh import MIN_SHARED_VALUES, band_hashes, drop_chance_collisions, lsh_params
from dedup.pipeline.stores import ANALYSED_CACHE
from dedup.pipeline.workers import fingerprint
from dedup.settings import Settings
from dedup.spark.read import document_of, read_unit, unit_of
from dedup.templates import Analysed, relation

PAGE_SCHEMA = pa.schema(
    [
        ("unit", pa.int32()),
        ("seq", pa.int64()),
        ("id", pa.string()),
        ("title", pa.string()),
        ("text", pa.string()),
        ("source", pa.string()),
        ("date", pa.string()),
        ("origin", pa.string()),
        ("path", pa.string()),
        ("root", pa.string()),
        ("keys", pa.list_(pa.string())),  # Page.keys: the normalised title, then each line
        ("hashes", pa.binary()),  # Page.hashes (uint64): the title's, then each line's
        ("story", pa.binary()),  # the page's story keys (uint64, dedup.clean.site.story_keys); empty: none
        ("shingles", pa.binary()),  # Page.shingles (uint32): the story keys' 3-grams, reused by fingerprinting
    ]
)
# What a read task gives: its documents page-cleaned (problem null), and its input problems (only unit, seq, where
# and problem set), so that the input is read, and cached, once.
READ_SCHEMA = pa.schema([*PAGE_SCHEMA, pa.field("where", pa.string()), pa.field("problem", pa.string())])
WINDOW_TYPE = pa.list_(pa.struct([("sig", pa.binary()), ("bands", pa.list_(pa.int64()))]))
FP_SCHEMA = pa.schema(
    [
        ("idx", pa.int64()),
        ("id", pa.string()),
        ("title", pa.string()),
        ("source", pa.string()),
        ("date", pa.string()),
        ("origin", pa.string()),
        ("path", pa.string()),
        ("root", pa.string()),
        ("words", pa.int64()),
        ("digest", pa.string()),
        ("k1", pa.int64()),
        ("k2", pa.string()),  # keep priority: (k1, k2, idx) ascending is dedup.cluster.keep_order
        ("week", pa.int32()),  # publication week (publication_week), for the optional week blocking
        ("sig", pa.binary()),
        ("bands", pa.list_(pa.int64())),
        ("windows", WINDOW_TYPE),  # excerpt windows (dedup.lsh.excerpt_windows): signature and band keys of each
        ("shingles", pa.binary()),
        ("cwords", pa.binary()),
        ("text", pa.binary()),  # normalised text, utf-8 (empty when templates are off)
    ]
)
PAIR_SCHEMA = pa.schema([("a", pa.int64()), ("b", pa.int64())])
SCORE_SCHEMA = pa.schema([("a", pa.int64()), ("b", pa.int64()), ("score", pa.float32()), ("passed", pa.bool_())])
LINK_SCHEMA = pa.schema(
    [
        ("a", pa.int64()),
        ("b", pa.int64()),
        ("jaccard", pa.float64()),
        ("containment", pa.float64()),
        ("relation", pa.string()),
        ("a_in_b", pa.float64()),
        ("b_in_a", pa.float64()),
        ("evidence", pa.string()),  # a rewrite's dedup.evidence.Evidence (evidence_json), else null
    ]
)


@dataclass(frozen=True)
class SparkState:
    """What every batch of a run shares (shipped to the Python workers in each task's closure): the cleaner, with
    the site boilerplate once it is learned, the fingerprinter and the settings."""

    cleaner: Cleaner
    fingerprinter: Fingerprinter
    settings: Settings


def stage_state(settings: Settings, rules: LineRules | None = None, site: SiteBoilerplate | None = None) -> SparkState:
    """The state of a scan's batches, as :class:`dedup.pipeline.Pipeline` builds its own."""
    rules = rules if rules is not None else LineRules.load(settings.rules_file)
    fingerprinter = Fingerprinter(num_perm=settings.num_perm, ngram=settings.ngram, seed=settings.seed)
    return SparkState(Cleaner(rules, site), fingerprinter, settings)


def _binary(arrays: Sequence[np.ndarray]) -> pa.Array:
    """One ``binary`` value per array (its raw bytes), built from one buffer."""
    sizes = np.fromiter((a.nbytes for a in arrays), dtype=np.int64, count=len(arrays))
    offsets = np.zeros(len(arrays) + 1, dtype=np.int32)
    np.cumsum(sizes, out=offsets[1:])
    data = b"".join(a.tobytes() for a in arrays)
    return pa.Array.from_buffers(pa.binary(), len(arrays), [None, pa.py_buffer(offsets), pa.py_buffer(data)])


def _split(flat: np.ndarray, sizes: np.ndarray) -> list[np.ndarray]:
    return np.split(flat, np.cumsum(sizes)[:-1]) if len(sizes) else []


def _int64_lists(rows: Sequence[np.ndarray]) -> pa.Array:
    """A ``list<int64>`` column of uint64 (or int64) arrays, bits unchanged."""
    sizes = np.fromiter((r.size for r in rows), dtype=np.int64, count=len(rows))
    offsets = np.zeros(len(rows) + 1, dtype=np.int32)
    np.cumsum(sizes, out=offsets[1:])
    flat = np.concatenate(rows).view(np.int64) if rows else np.empty(0, dtype=np.int64)
    return pa.ListArray.from_arrays(pa.array(offsets), pa.array(flat, type=pa.int64()))


# -- clean + fingerprint ----------------------------------------------------------------------------------------

_NONE = np.empty(0, dtype=np.uint64)
_MONDAY = datetime.date(1970, 1, 5)


def clean_batch(state: SparkState, batch: pa.RecordBatch) -> pa.RecordBatch:
    """First pass: page cleaning of a batch of documents (rows of :data:`dedup.spark.read.DOC_SCHEMA`), with
    each page's story keys when site boilerplate is to be learned (the local engine's first pass computes them in
    its workers too)."""
    rows = batch.to_pylist()
    pages = [state.cleaner.clean_page_keyed(document_of(r), explain=False) for r in rows]
    if state.settings.site_boilerplate and pages:
        stories = [obs[3] for obs in site_observations(pages)]  # sets Page.shingles too
    else:
        stories = [_NONE] * len(pages)
    cols = {
        "unit": [r["unit"] for r in rows],
        "seq": [r["seq"] for r in rows],
        **{
            name: [getattr(p.doc, name) for p in pages]
            for name in ("id", "title", "text", "source", "date", "origin", "path", "root")
        },
        "keys": [p.keys for p in pages],
    }
    arrays = [pa.array(cols[name], type=PAGE_SCHEMA.field(name).type) for name in cols]
    arrays += [
        _binary([p.hashes for p in pages]),
        _binary(stories),
        pa.array([p.shingles.tobytes() if p.shingles is not None else None for p in pages], type=pa.binary()),
    ]
    return pa.RecordBatch.from_arrays(arrays, schema=PAGE_SCHEMA)


def read_and_clean(state: SparkState, units: Iterable[pa.RecordBatch], fields: FieldNames) -> Iterator[pa.RecordBatch]:
    """``mapInArrow`` body: the units of each :data:`dedup.spark.read.UNIT_SCHEMA` batch read, and their documents
    page-cleaned (:func:`clean_batch`), as :data:`READ_SCHEMA` batches."""
    for batch in units:
        for row in batch.to_pylist():
            for docs in read_unit(unit_of(row), fields):
                bad = pc.is_valid(docs.column("problem"))
                good = docs.filter(pc.invert(bad))
                if good.num_rows:
                    pages = clean_batch(state, good)
                    yield pa.RecordBatch.from_arrays(
                        [*pages.columns, pa.nulls(pages.num_rows, pa.string()), pa.nulls(pages.num_rows, pa.string())],
                        schema=READ_SCHEMA,
                    )
                problems = docs.filter(bad)
                if problems.num_rows:
                    given = {name: problems.column(name) for name in ("unit", "seq", "where", "problem")}
                    yield pa.RecordBatch.from_arrays(
                        [given.get(f.name, pa.nulls(problems.num_rows, f.type)) for f in READ_SCHEMA],
                        schema=READ_SCHEMA,
                    )


def _windows(signatures: np.ndarray, owners: np.ndarray, n: int, bands: int, rows: int) -> pa.Array:
    """The :data:`WINDOW_TYPE` column of ``n`` documents: each one's windows (``owners``: the document of each
    window, non-decreasing, as :func:`dedup.pipeline.workers.fingerprint` lists them), signature and band keys."""
    keys = band_hashes(signatures, bands, rows, flat=False) if owners.size else np.empty((0, bands), np.uint64)
    offsets = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(np.bincount(owners, minlength=n), out=offsets[1:])
    items = pa.StructArray.from_arrays([_binary(list(signatures)), _int64_lists(list(keys))], names=["sig", "bands"])
    return pa.ListArray.from_arrays(pa.array(offsets), items)


def page_of(row: dict) -> Page:
    """The :class:`Page` a :data:`PAGE_SCHEMA` row holds."""
    doc = Document(
        id=row["id"],
        text=row["text"],
        title=row["title"],
        source=row["source"],
        date=row["date"],
        origin=row["origin"],
        path=row["path"],
        root=row["root"],
    )
    shingles = np.frombuffer(row["shingles"], dtype=np.uint32) if row["shingles"] is not None else None
    return Page(doc, row["keys"], np.frombuffer(row["hashes"], dtype=np.uint64), shingles)


def document_index(unit: int, seq: int, offsets: Mapping[int, int], problems: Mapping[int, np.ndarray]) -> int:
    """The document's number in input order: documents of earlier units, then its place among its unit's
    documents (``seq`` counts the unit's problems too; ``problems[unit]`` are their ``seq``, sorted).

    >>> document_index(1, 5, {0: 10, 1: 10}, {1: np.array([2, 7])})
    14
    """
    skipped = problems.get(unit)
    before = int(np.searchsorted(skipped, seq)) if skipped is not None else 0
    return offsets[unit] + seq - before


def order_key(info: DocInfo, keep: str, prefer: Mapping[str, int]) -> tuple[int, str]:
    """``(k1, k2)``: with the document's number last, the key :func:`dedup.cluster.keep_order` sorts by.

    >>> order_key(DocInfo("a", "", "spa", None, "", None, None, 9, ""), "source", {"spa": 0})
    (0, '')
    """
    if keep == "longest":
        return -info.words, ""
    if keep == "earliest":
        return (1 if info.date is None else 0), info.date or ""
    if keep == "source":
        return prefer.get((info.source or "").lower(), len(prefer)), ""
    return 0, ""


def publication_week(date: str | None) -> int | None:
    """Weeks (Monday to Sunday) from 1970-01-05 to the ISO date ``date`` starts with; None without one.

    >>> publication_week("2024-03-04T09:00:00Z"), publication_week("2024-03-10"), publication_week("Monday")
    (2826, 2826, None)
    """
    if not date or len(date) < 10:
        return None
    try:
        day = datetime.date.fromisoformat(date[:10])
    except ValueError:
        return None
    return (day - _MONDAY).days // 7


def fingerprint_batch(
    state: SparkState, batch: pa.RecordBatch, offsets: Mapping[int, int], problems: Mapping[int, np.ndarray]
) -> pa.RecordBatch:
    """Second pass: site boilerplate stripped, fingerprints, band keys (of each document and of its excerpt
    windows) and keep-priority keys of a batch of pages."""
    rows = batch.to_pylist()
    pages = [page_of(r) for r in rows]
    s = state.settings
    fp = fingerprint(pages, state.cleaner, state.fingerprinter, s)
    bands, band_rows = lsh_params(s.lsh_threshold, s.num_perm)
    keys = band_hashes(fp.signatures, bands, band_rows, flat=False) if len(pages) else np.empty((0, bands), np.uint64)
    windows = _windows(fp.window_signatures, fp.window_owners, len(pages), bands, band_rows)
    prefer = {src.lower(): k for k, src in enumerate(s.prefer)}
    order = [order_key(info, s.keep, prefer) for info in fp.infos]
    texts = _split(np.frombuffer(fp.texts, dtype=np.uint8), fp.text_sizes)
    cols = {
        "idx": [document_index(r["unit"], r["seq"], offsets, problems) for r in rows],
        **{
            name: [getattr(info, name) for info in fp.infos]
            for name in ("id", "title", "source", "date", "origin", "path", "root", "words", "digest")
        },
        "k1": [k for k, _ in order],
        "k2": [k for _, k in order],
        "week": [publication_week(info.date) for info in fp.infos],
    }
    arrays = [pa.array(cols[name], type=FP_SCHEMA.field(name).type) for name in cols]
    arrays += [
        _binary(list(fp.signatures)),
        _int64_lists(list(keys)),
        windows,
        _binary(_split(fp.shingles, fp.sizes)),
        _binary(_split(fp.words, fp.word_sizes)),
        _binary(texts),
    ]
    return pa.RecordBatch.from_arrays(arrays, schema=FP_SCHEMA)


# -- candidates and verification --------------------------------------------------------------------------------


def _arrays(column: pa.Array, dtype: type) -> list[np.ndarray]:
    return [np.frombuffer(v, dtype=dtype) if v is not None else np.empty(0, dtype=dtype) for v in column.to_pylist()]


def chance_filter(batch: pa.RecordBatch, num_perm: int, min_shared: int = MIN_SHARED_VALUES) -> pa.RecordBatch:
    """Candidate pairs ``(a, b, sig_a, sig_b)`` whose signatures share ``min_shared`` values, as ``(a, b)``."""
    n = batch.num_rows
    if n == 0:
        return pa.RecordBatch.from_pylist([], schema=PAIR_SCHEMA)
    sigs = np.concatenate(_arrays(batch.column("sig_a"), np.uint32) + _arrays(batch.column("sig_b"), np.uint32))
    sigs = sigs.reshape(2 * n, num_perm)
    pairs = np.stack((np.arange(n), np.arange(n, 2 * n)), axis=1)
    keep = drop_chance_collisions(sigs, pairs, min_shared)[:, 0]
    return pa.RecordBatch.from_arrays([batch.column("a").take(keep), batch.column("b").take(keep)], schema=PAIR_SCHEMA)


def _options(s: Settings) -> VerifyOptions:
    return VerifyOptions(s.threshold, s.containment, coverage=s.coverage)


def verify_shingles(batch: pa.RecordBatch, s: Settings) -> pa.RecordBatch:
    """Pairs ``(a, b, sh_a, sh_b)``: every pair's similarity, and whether it goes on to :func:`verify_links`: it
    reaches the thresholds on its exact shingle sets (:func:`dedup.cluster.verify` without the relation and
    coverage tests), or, with rewrites on, it is one the rewrite decision judges (:mod:`dedup.evidence`)."""
    n = batch.num_rows
    shingles = _arrays(batch.column("sh_a"), np.uint32) + _arrays(batch.column("sh_b"), np.uint32)
    scores: list[float] = []
    pairs = np.stack((np.arange(n), np.arange(n, 2 * n)), axis=1) if n else np.empty((0, 2), np.int64)
    options = _options(s)
    passed = np.zeros(n, dtype=bool)
    passed[[link.a for link in verify(pairs, shingles, options, None, scores)]] = True
    rewrites = s.rewrite_options
    if rewrites.enabled:
        for k in np.flatnonzero(~passed).tolist():
            sa, sb = shingles[k], shingles[n + k]
            con = jaccard_containment(sa, sb)[1]
            passed[k] = judged_below(min(sa.size, sb.size), con, options) and con >= rewrites.containment
    return pa.RecordBatch.from_arrays(
        [batch.column("a"), batch.column("b"), pa.array(np.asarray(scores, dtype=np.float32)), pa.array(passed)],
        schema=SCORE_SCHEMA,
    )


def evidence_json(evidence: Evidence | None) -> str | None:
    """A link's :class:`dedup.evidence.Evidence` as one JSON string (a column value), ``None`` for none.

    >>> evidence_of(evidence_json(Evidence(True, "rewrite", 1.0, 0.8, None, 0.6, (0, 2), (0.9, 1.0))))
    Evidence(rewrite=True, reason='rewrite', coverage=1.0, words=0.8, title=None, ordered=0.6, new_facts=(0, 2), coverages=(0.9, 1.0))
    """
    return None if evidence is None else json.dumps([getattr(evidence, f.name) for f in fields(Evidence)])


def evidence_of(value: str | None) -> Evidence | None:
    """The :class:`dedup.evidence.Evidence` :func:`evidence_json` wrote."""
    if value is None:
        return None
    items = json.loads(value)
    return Evidence(*(tuple(x) if isinstance(x, list) else x for x in items))


class AnalysedCache:
    """Texts prepared for :func:`dedup.templates.relation`, the last few hundred kept (a text is in as many
    pairs as it has look-alikes)."""

    def __init__(self) -> None:
        self._cache: OrderedDict[int, Analysed] = OrderedDict()

    def get(self, key: int, text: bytes) -> Analysed:
        found = self._cache.get(key)
        if found is None:
            found = self._cache[key] = Analysed(text.decode("utf-8").split())
            if len(self._cache) > ANALYSED_CACHE:
                self._cache.popitem(last=False)
        else:
            self._cache.move_to_end(key)
        return found


def verify_links(batch: pa.RecordBatch, s: Settings, analysed: AnalysedCache | None = None) -> pa.RecordBatch:
    """Pairs ``(a, b, sh_a, sh_b, w_a, w_b, t_a, t_b, ti_a, ti_b)`` that passed :func:`verify_shingles`: their
    links (:func:`dedup.cluster.verify` with the template test, both coverages and the rewrite decision, as
    :func:`dedup.pipeline.verify.rewrite_decision` builds it), global numbers restored."""
    n = batch.num_rows
    a_ids, b_ids = batch.column("a").to_pylist(), batch.column("b").to_pylist()
    shingles = _arrays(batch.column("sh_a"), np.uint32) + _arrays(batch.column("sh_b"), np.uint32)
    words = _arrays(batch.column("w_a"), np.uint32) + _arrays(batch.column("w_b"), np.uint32)
    texts = batch.column("t_a").to_pylist() + batch.column("t_b").to_pylist()
    titles = batch.column("ti_a").to_pylist() + batch.column("ti_b").to_pylist()
    ids = a_ids + b_ids
    cache = analysed or AnalysedCache()

    def text_of(i: int) -> Analysed:
        return cache.get(ids[i], texts[i])

    def relation_of(i: int, j: int) -> str:
        return relation(text_of(i), text_of(j)) if s.templates else DUPLICATE

    judge = None
    if s.rewrite_options.enabled:
        analysed_text = text_of if s.templates else None
        judge = judge_with_titles(s.rewrite_options, words.__getitem__, titles, s.normalize, analysed_text)
    pairs = np.stack((np.arange(n), np.arange(n, 2 * n)), axis=1) if n else np.empty((0, 2), np.int64)
    links = verify(pairs, shingles, _options(s), relation_of, None, words, judge)
    return pa.RecordBatch.from_pylist(
        [
            {
                "a": ids[k.a],
                "b": ids[k.b],
                "jaccard": k.jaccard,
                "containment": k.containment,
                "relation": k.relation,
                "a_in_b": k.a_in_b,
                "b_in_a": k.b_in_a,
                "evidence": evidence_json(k.evidence),
            }
            for k in links
        ],
        schema=LINK_SCHEMA,
    )
