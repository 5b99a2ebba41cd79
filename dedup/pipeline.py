"""The whole job as one readable pipeline: read → clean → normalise → fingerprint → index → cluster.

This is the Python API the CLI is a thin layer over.

>>> from dedup.document import Document
>>> story = "The port strike entered its third day on Monday as talks between unions and operators stalled again."
>>> docs = [Document(id="a", text=story), Document(id="b", text=story + " Shipping lines diverted vessels."),
...         Document(id="c", text="Parliament approved the annual budget after a long night of debate.")]
>>> result = scan_documents(docs, Settings(site_boilerplate=False))
>>> [[result.documents[i].id for i, _ in c.members] for c in result.clusters]
[['a', 'b']]
"""

from __future__ import annotations

import hashlib
import pickle
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from dedup.clean import Cleaner, LearnedLine, LineRules, SiteBoilerplate
from dedup.cluster import DUPLICATE, TEMPLATE, Cluster, Link, VerifyOptions, star_clusters, verify
from dedup.document import Document
from dedup.fingerprint import Fingerprinter
from dedup.index import candidate_pairs, lsh_params
from dedup.io import FieldNames, InputProblem, Reader
from dedup.normalize import NormalizeOptions, normalize
from dedup.relation import relation

KEEP_POLICIES = ("first", "longest", "earliest", "source")


@dataclass(frozen=True)
class Settings:
    """Every knob of a run. Defaults were chosen by measurement (see README, "Defaults")."""

    threshold: float = 0.5
    containment: float = 0.8
    ngram: int = 3
    num_perm: int = 128
    seed: int = 1
    # LSH proposes pairs at a lower Jaccard than verification accepts, so that containment pairs and heavy
    # rewrites reach the exact check.
    lsh_threshold: float = 0.3
    keep: str = "first"
    prefer: tuple[str, ...] = ()
    templates: bool = True  # tell template siblings from copies (never merge them)
    site_boilerplate: bool = True
    site_min_docs: int = 3
    site_min_share: float = 0.01
    rules_file: str | None = None
    normalize: NormalizeOptions = NormalizeOptions()
    fields: FieldNames = FieldNames()
    strict: bool = False

    def __post_init__(self) -> None:
        if not 0.0 < self.threshold <= 1.0:
            raise ValueError(f"threshold must be in (0, 1], got {self.threshold}")
        if not 0.0 < self.containment <= 1.0:
            raise ValueError(f"containment must be in (0, 1], got {self.containment}")
        if self.keep not in KEEP_POLICIES:
            raise ValueError(f"keep must be one of {', '.join(KEEP_POLICIES)}, got {self.keep!r}")


@dataclass(slots=True)
class DocInfo:
    """What a scan keeps of each document once its text is fingerprinted."""

    id: str
    title: str
    source: str | None
    date: str | None
    origin: str
    path: str | None
    root: str | None
    words: int
    digest: str  # hash of the normalised text: equal digests are exact copies


@dataclass
class ScanResult:
    """Documents of a run, clusters of duplicates (two or more members) and template-sibling links."""

    documents: list[DocInfo]
    clusters: list[Cluster]
    links: list[Link]
    problems: list[InputProblem] = field(default_factory=list)
    learned: list[LearnedLine] = field(default_factory=list)
    settings: Settings = field(default_factory=Settings)

    def dropped(self) -> list[tuple[int, int, int, float]]:
        """``(document, cluster number, kept document, similarity)`` for every redundant copy."""
        out = []
        for k, cluster in enumerate(self.clusters, start=1):
            for member, sim in cluster.members[1:]:
                out.append((member, k, cluster.keep, sim))
        return out

    @property
    def template_links(self) -> list[Link]:
        return [link for link in self.links if link.relation == TEMPLATE]


class Pipeline:
    """One configured run. ``documents(inputs)`` yields cleaned documents; ``scan(inputs)`` finds clusters."""

    def __init__(self, settings: Settings = Settings(), on_problem: Callable[[InputProblem], None] | None = None,
                 progress: Callable[[int], None] | None = None) -> None:
        self.settings = settings
        self.problems: list[InputProblem] = []
        self._on_problem = on_problem
        self._progress = progress
        self.cleaner = Cleaner(LineRules.load(settings.rules_file))
        self.fingerprinter = Fingerprinter(num_perm=settings.num_perm, ngram=settings.ngram, seed=settings.seed)

    def _problem(self, problem: InputProblem) -> None:
        self.problems.append(problem)
        if self._on_problem is not None:
            self._on_problem(problem)

    def _reader(self) -> Reader:
        return Reader(fields=self.settings.fields, strict=self.settings.strict, on_problem=self._problem)

    # -- read + clean -----------------------------------------------------------------------------------------

    def documents(self, inputs: Sequence[str]) -> Iterator[Document]:
        """Cleaned documents of ``inputs``, in input order.

        With site boilerplate on, the first pass reads and page-cleans every document, counts its lines, and
        spools it (pickled) to a temporary file; the second pass strips the learned lines from the spool. So
        inputs (standard input included) are read once and each page is cleaned once.
        """
        reader = self._reader()
        if not self.settings.site_boilerplate:
            for doc in reader.read(inputs):
                yield self.cleaner.clean_page(doc)
            return
        learner = SiteBoilerplate(self.settings.site_min_docs, self.settings.site_min_share)
        self.cleaner.site = learner
        with tempfile.TemporaryFile(prefix="dedup-spool-") as spool:
            for doc in reader.read(inputs):
                page = self.cleaner.clean_page(doc)
                learner.observe(page.source, page.text)
                pickle.dump(page, spool, protocol=pickle.HIGHEST_PROTOCOL)
            spool.seek(0)
            while True:
                try:
                    page = pickle.load(spool)
                except EOFError:
                    break
                yield self.cleaner.clean_site(page)

    def clean_documents(self, docs: Iterable[Document]) -> list[Document]:
        """Clean in-memory documents (two passes over the list when site boilerplate is on)."""
        pages = [self.cleaner.clean_page(d) for d in docs]
        if self.settings.site_boilerplate:
            self.cleaner.site = SiteBoilerplate(self.settings.site_min_docs, self.settings.site_min_share)
            self.cleaner.learn(pages)
        return [self.cleaner.clean_site(d) for d in pages]

    # -- normalise + fingerprint + index + cluster -----------------------------------------------------------

    def scan(self, inputs: Sequence[str]) -> ScanResult:
        return self.scan_documents(self.documents(inputs), cleaned=True)

    def scan_documents(self, docs: Iterable[Document], cleaned: bool = False) -> ScanResult:
        s = self.settings
        if not cleaned:
            docs = self.clean_documents(docs)
        infos: list[DocInfo] = []
        shingles: list[np.ndarray] = []
        token_lists: list[list[str]] = []
        for doc in docs:
            norm = normalize(doc.full_text, s.normalize)
            words = norm.split()
            if not words:
                self._problem(InputProblem(doc.origin or doc.id, "empty document after cleaning; not compared"))
            infos.append(DocInfo(
                id=doc.id, title=doc.title, source=doc.source, date=doc.date, origin=doc.origin, path=doc.path,
                root=doc.root, words=len(words), digest=hashlib.blake2b(norm.encode(), digest_size=16).hexdigest(),
            ))
            shingles.append(self.fingerprinter.shingles(words))
            token_lists.append(words if s.templates else [])
            if self._progress is not None:
                self._progress(1)
        order = keep_order(infos, s.keep, s.prefer)
        groups = exact_groups(infos, order)
        links = find_links(sorted(groups), shingles, token_lists, self.fingerprinter, s)
        clusters = expand_exact(star_clusters(len(infos), links, order), groups, order)
        _attach_siblings(clusters, links)
        learned = self.cleaner.site.learned() if self.cleaner.site is not None else []
        return ScanResult(infos, clusters, links, list(self.problems), learned, s)


def exact_groups(infos: Sequence[DocInfo], order: Sequence[int]) -> dict[int, list[int]]:
    """Exact copies (equal normalised-text digests): the best-ranked of each group maps to the other members."""
    representative: dict[str, int] = {}
    groups: dict[int, list[int]] = {}
    for i in order:
        if infos[i].words == 0:
            continue
        rep = representative.setdefault(infos[i].digest, i)
        groups.setdefault(rep, [])
        if rep != i:
            groups[rep].append(i)
    return groups


def find_links(
    reps: Sequence[int],
    shingles: Sequence[np.ndarray],
    token_lists: Sequence[Sequence[str]],
    fingerprinter: Fingerprinter,
    s: Settings,
) -> list[Link]:
    """MinHash LSH candidates among distinct texts ``reps``, verified on their exact shingle sets."""
    if len(reps) < 2:
        return []
    signatures = fingerprinter.signatures([shingles[i] for i in reps])
    bands, rows = lsh_params(s.lsh_threshold, s.num_perm)
    pairs = candidate_pairs(signatures, bands, rows)
    pairs = np.asarray(reps, dtype=np.int64)[pairs] if pairs.size else pairs

    def relation_of(a: int, b: int) -> str:
        return relation(token_lists[a], token_lists[b]) if s.templates else DUPLICATE

    return verify(pairs, shingles, VerifyOptions(s.threshold, s.containment), relation_of)


def expand_exact(clusters: list[Cluster], groups: dict[int, list[int]], order: Sequence[int]) -> list[Cluster]:
    """Put exact copies where their representative is (a new cluster when it is in none)."""
    where = {m: (k, sim) for k, c in enumerate(clusters) for m, sim in c.members}
    for rep, copies in groups.items():
        if not copies:
            continue
        if rep in where:
            k, sim = where[rep]
            clusters[k].members.extend((c, sim) for c in copies)
        else:
            clusters.append(Cluster(keep=rep, members=[(rep, 1.0), *((c, 1.0) for c in copies)]))
    rank = {d: r for r, d in enumerate(order)}
    clusters.sort(key=lambda c: rank[c.keep])
    return clusters


def _attach_siblings(clusters: list[Cluster], links: Sequence[Link]) -> None:
    where = {m: k for k, c in enumerate(clusters) for m, _ in c.members}
    for link in links:
        if link.relation == TEMPLATE:
            k = where.get(link.a, where.get(link.b))
            if k is not None:
                clusters[k].siblings.append((link.a, link.b, link.similarity))


def keep_order(infos: Sequence[DocInfo], keep: str, prefer: Sequence[str] = ()) -> list[int]:
    """Document indexes, best candidate to survive first.

    ``first``: input order. ``longest``: most words. ``earliest``: oldest ``date`` (undated last).
    ``source``: documents from the ``prefer`` sources, in that order, before the rest.
    Ties always fall back to input order, so results are deterministic.
    """
    n = len(infos)
    if keep == "longest":
        return sorted(range(n), key=lambda i: (-infos[i].words, i))
    if keep == "earliest":
        return sorted(range(n), key=lambda i: (infos[i].date is None, infos[i].date or "", i))
    if keep == "source":
        pos = {src.lower(): k for k, src in enumerate(prefer)}
        return sorted(range(n), key=lambda i: (pos.get((infos[i].source or "").lower(), len(pos)), i))
    return list(range(n))


def scan_documents(docs: Iterable[Document], settings: Settings = Settings()) -> ScanResult:
    """Scan in-memory documents (cleaned here) and return their clusters."""
    return Pipeline(settings).scan_documents(docs)


def scan(inputs: Sequence[str], settings: Settings = Settings()) -> ScanResult:
    """Scan files, directories, JSONL and ``-`` (stdin) and return the clusters."""
    return Pipeline(settings).scan(inputs)
