"""Candidate pairs from MinHash LSH, verified on the exact shingle sets, in worker processes.

Verification (exact sets, then the template test on the pairs that pass) is most of the work on a corpus full of
copies, so candidate pairs are verified in chunks by worker processes, which read the shingle and text stores
through the file descriptors they inherit; links come back in pair order, whatever the number of workers.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np

from dedup.cluster import DUPLICATE, UNCHECKED, Link, VerifyOptions, verify
from dedup.evidence import RewriteJudge, judge_with_titles
from dedup.lsh import MIN_SHARED_VALUES, candidate_blocks, lsh_params
from dedup.parallel import WorkerPool, ordered_map
from dedup.pipeline.lazy import connected_parts
from dedup.pipeline.stores import ShingleStore, TextStore
from dedup.settings import Settings
from dedup.templates import relation

VERIFY_CHUNK = 2048  # candidate pairs verified per task
SCORES_JOINED = 256  # chunks' scores joined into one array


def find_links(
    reps: Sequence[int],
    shingles: ShingleStore | Sequence[np.ndarray],
    texts: TextStore,
    signatures: np.ndarray | list[np.ndarray],
    s: Settings,
    scores: list[np.ndarray] | None = None,
    workers: int = 1,
    words: ShingleStore | Sequence[np.ndarray] | None = None,
    window_owners: np.ndarray | None = None,
    titles: Sequence[str | None] | None = None,
    every_link: bool = True,
) -> list[Link]:
    """MinHash LSH candidates among distinct texts ``reps``, verified on their exact shingle sets (``scores``
    receives every candidate pair's similarity, a float32 array per chunk: a million-document corpus has
    millions of candidates, too many for a Python float each).

    ``window_owners``: the rows of ``signatures`` after the documents' are excerpt windows
    (:func:`dedup.lsh.excerpt_windows`) of these documents; those of the ``reps`` are banded with them, so that a
    story inside a much longer round-up is a candidate too.

    ``titles`` (the documents' titles as read) and ``words`` let rewrites below the shingle thresholds be linked
    (:mod:`dedup.evidence`, ``settings.rewrites``).

    ``signatures`` given as a one-item list is handed over: the list is emptied once the matrix is banded, so
    that the corpus's largest structure is freed before verification starts its workers (nothing else reads it).

    ``every_link=False``: the template test is left for later (:func:`decide_relations`, on the links the
    clustering reads: :mod:`dedup.pipeline.lazy`); the pairs it would run on are
    :data:`~dedup.cluster.UNCHECKED` links.
    """
    if len(reps) < 2:
        return []
    matrix = signatures[0] if isinstance(signatures, list) else signatures
    reps_arr = np.asarray(reps, dtype=np.int64)
    bands, rows = lsh_params(s.lsh_threshold, s.num_perm)
    mine = np.empty(0, dtype=np.int64)
    if window_owners is not None and window_owners.size:
        mine = np.flatnonzero(np.isin(window_owners, reps_arr))  # an exact copy's windows are its rep's
    banded = reps_arr if not mine.size else np.concatenate((reps_arr, matrix.shape[0] - window_owners.size + mine))
    # Banded in place (no copy of the reps' signatures: 512 MB at a million documents), chance collisions
    # dropped band by band; the pairs are filed by block of first documents and verified a block at a time.
    owners = np.concatenate((reps_arr, window_owners[mine])) if mine.size else None
    is_window = None if owners is None else np.arange(banded.size) >= reps_arr.size
    blocks = candidate_blocks(
        matrix, bands, rows, rows_of=banded, min_shared=MIN_SHARED_VALUES, groups=owners, workers=workers,
        owners=owners, is_window=is_window,
    )  # fmt: skip
    del matrix
    if isinstance(signatures, list):
        signatures.clear()
    for store in (shingles, words):
        if isinstance(store, ShingleStore):
            store.flush()
    texts.flush()
    with blocks:
        pending = iter(blocks)
        first = next(pending, None)
        if first is None:
            return []
        if owners is None:  # positions in reps
            first = reps_arr[first]
        if blocks.blocks == 1 and len(first) <= VERIFY_CHUNK:
            workers = 1  # one chunk: not worth starting processes

        def chunks() -> Iterator[np.ndarray]:
            for pairs in itertools.chain([first], pending):
                if owners is None and pairs is not first:
                    pairs = reps_arr[pairs]
                for i in range(0, len(pairs), VERIFY_CHUNK):
                    yield pairs[i : i + VERIFY_CHUNK]

        links: list[Link] = []
        state = VerifyState(shingles, texts, s, words, titles, every_link)
        # Chunks' scores joined a few hundred at a time: tens of thousands of 8 KB arrays kept would sit among
        # the memory each chunk's unpickling frees, which the allocator could then not give back.
        recent: list[np.ndarray] = []
        for chunk_links, chunk_scores in ordered_map(verify_chunk, chunks(), workers, state):
            links.extend(chunk_links)
            recent.append(chunk_scores)
            if len(recent) == SCORES_JOINED:
                _keep_scores(scores, recent)
        _keep_scores(scores, recent)
    return links


def _keep_scores(scores: list[np.ndarray] | None, recent: list[np.ndarray]) -> None:
    """Append the ``recent`` chunks' scores to ``scores`` as one array (none if ``scores`` is None); empty
    ``recent``."""
    if scores is not None and recent:
        scores.append(np.concatenate(recent) if len(recent) > 1 else recent[0])
    recent.clear()


@dataclass(frozen=True)
class VerifyState:
    """What every chunk of candidate pairs is verified against."""

    shingles: ShingleStore | Sequence[np.ndarray]
    texts: TextStore
    settings: Settings
    words: ShingleStore | Sequence[np.ndarray] | None = None  # content words, for coverage
    titles: Sequence[str | None] | None = None  # titles as read, for the rewrite decision
    every_link: bool = True  # run the template test during verification (else: UNCHECKED links)
    # This process's rewrite judge, made for the first chunk: its titles and distinct words serve the next ones.
    judges: dict[str, RewriteJudge | None] = field(default_factory=dict, compare=False, repr=False)


def verify_chunk(state: VerifyState, pairs: np.ndarray) -> tuple[list[Link], np.ndarray]:
    """Links of one chunk of candidate pairs, and every pair's similarity."""
    shingles, texts, s = state.shingles, state.texts, state.settings

    def relation_of(a: int, b: int) -> str:
        if not s.templates:
            return DUPLICATE
        return relation(texts.analysed(a), texts.analysed(b)) if state.every_link else UNCHECKED

    scores: list[float] = []
    options = VerifyOptions(s.threshold, s.containment, coverage=s.coverage)
    if "rewrite" not in state.judges:
        state.judges["rewrite"] = rewrite_decision(state)
    links = verify(pairs, shingles, options, relation_of, scores, state.words, state.judges["rewrite"])
    return links, np.asarray(scores, dtype=np.float32)


def decide_relations(pairs: np.ndarray, texts: TextStore, s: Settings, workers: int = 1) -> list[str]:
    """The template test (:func:`dedup.templates.relation`) of each pair, in worker processes when there are
    enough of them."""
    order, chunks = _relation_chunks(pairs)
    workers = workers if len(chunks) > 1 else 1
    out: list[str] = []
    for chunk in ordered_map(relation_chunk, chunks, workers, texts):
        out.extend(chunk)
    return _unordered(order, out)


def relations_later(pairs: np.ndarray, texts: TextStore, pool: WorkerPool) -> Callable[[], list[str]]:
    """:func:`decide_relations` in ``pool``'s workers: a function that waits for the answers, so that this
    process goes on while the workers test (a single chunk is tested here, now, unless the pool is running)."""
    order, chunks = _relation_chunks(pairs)
    if len(chunks) <= 1 and not pool.started:
        out = _unordered(order, relation_chunk(texts, chunks[0]) if chunks else [])
        return lambda: out
    waits = [pool.submit(relation_chunk, chunk) for chunk in chunks]
    return lambda: _unordered(order, [relation for wait in waits for relation in wait()])


def _relation_chunks(pairs: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
    """The order in which ``pairs`` are tested (:func:`document_order`) and the chunks of them in that order."""
    order = document_order(pairs)
    ordered = pairs[order]
    step = VERIFY_CHUNK // 4
    return order, [ordered[i : i + step] for i in range(0, len(ordered), step)]


def _unordered(order: np.ndarray, answers: list[str]) -> list[str]:
    """``answers`` given for ``pairs[order]``, put back in the order of ``pairs``."""
    out = [""] * len(answers)
    for position, answer in zip(order.tolist(), answers):
        out[position] = answer
    return out


def document_order(pairs: np.ndarray) -> np.ndarray:
    """Positions of ``pairs`` with the pairs of one document together: by connected part of the pairs' graph,
    then by the document of each pair met most often (a star's centre), then as given.

    A worker keeps the last texts it prepared (:meth:`TextStore.analysed`); a centre's partners tested in one run
    prepare it once, instead of once in each worker whose chunk holds one of its pairs.

    >>> document_order(np.array([[0, 1], [5, 6], [1, 2], [6, 7], [1, 3]])).tolist()
    [0, 2, 4, 1, 3]
    """
    if len(pairs) < 2:
        return np.arange(len(pairs))
    part = connected_parts(pairs.tolist())
    first_part = np.fromiter((part[a] for a in pairs[:, 0].tolist()), dtype=np.int64, count=len(pairs))
    docs, dense = np.unique(pairs, return_inverse=True)
    dense = dense.reshape(-1, 2)
    met = np.bincount(dense.ravel(), minlength=len(docs))
    first, second = dense[:, 0], dense[:, 1]
    # The pair's centre: the document met more often (the smaller one on a tie).
    hub = np.where((met[first] > met[second]) | ((met[first] == met[second]) & (first < second)), first, second)
    return np.lexsort((np.arange(len(pairs)), hub, -met[hub], first_part))


def relation_chunk(texts: TextStore, pairs: np.ndarray) -> list[str]:
    """:func:`dedup.templates.relation` of each pair of a chunk."""
    return [relation(texts.analysed(a), texts.analysed(b)) for a, b in pairs.tolist()]


def rewrite_decision(state: VerifyState) -> RewriteJudge | None:
    """The rewrite decision for pairs below the shingle thresholds (:class:`dedup.evidence.RewriteJudge`), or
    ``None`` when rewrites are off or content words are not stored."""
    s, words, titles, texts = state.settings, state.words, state.titles, state.texts

    if not s.rewrite_options.enabled or words is None:
        return None

    analysed = texts.analysed if s.templates else None
    return judge_with_titles(s.rewrite_options, words.__getitem__, titles, s.normalize, analysed)
