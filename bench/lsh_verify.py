"""CPU of LSH banding and of verification alone, on one scan's captured inputs (issue 15).

Usage (from the repo root; A/B: run the same with ``PYTHONPATH=<git archive of the baseline>`` by turns)::

    python bench/lsh_verify.py capture /tmp/c50k-short.jsonl   # once: /tmp/lsh-capture.npz, .pkl, /tmp/lsh-pairs.npz
    DEDUP_KERNELS=1 python bench/lsh_verify.py band 3            # candidate_blocks as find_links calls it, 1 process
    DEDUP_KERNELS=1 python bench/lsh_verify.py verify 3          # verify_chunk over every candidate pair, 1 process

``capture`` runs ``Pipeline(workers=2).scan`` and saves what ``find_links`` receives (the signature matrix, the
representatives, the excerpt windows' owners, every document's shingle set, content words and text, the titles
and settings) and the candidate pairs. Each round prints its CPU and wall seconds and a digest of its answer (the
pairs, or the links and scores), which must be the same for both sides of an A/B.
"""

from __future__ import annotations

import hashlib
import pickle
import sys
import time

import numpy as np

from dedup import kernels
from dedup.lsh import MIN_SHARED_VALUES, candidate_blocks, lsh_params
from dedup.pipeline.stores import ShingleStore, SignatureFile, TextStore
from dedup.settings import Settings

CAPTURE, META, PAIRS = "/tmp/lsh-capture.npz", "/tmp/lsh-capture.pkl", "/tmp/lsh-pairs.npz"


def capture(corpus: str) -> None:
    import dedup.pipeline.run as run
    from dedup.pipeline.run import Pipeline

    find_links = run.find_links

    def flat(store, n):  # type: ignore[no-untyped-def]
        parts = [np.asarray(store[i]) for i in range(n)]
        return np.concatenate(parts), np.array([p.size for p in parts], dtype=np.int64)

    def captured(reps, shingles, texts, signatures, s, scores, workers, words, window_owners, titles, every_link):  # type: ignore[no-untyped-def]
        for store in (shingles, words, texts):
            store.flush()
        n = len(shingles)
        (sf, ss), (wf, ws) = flat(shingles, n), flat(words, n)
        tb = [texts._data.read(i) for i in range(n)]
        np.savez(CAPTURE, matrix=signatures[0][:], reps=np.asarray(reps, dtype=np.int64), window_owners=window_owners,
                 shingles=sf, shingle_sizes=ss, words=wf, word_sizes=ws,
                 texts=np.frombuffer(b"".join(tb), dtype=np.uint8), text_sizes=np.array([len(b) for b in tb]))  # fmt: skip
        with open(META, "wb") as fh:
            pickle.dump({"titles": list(titles), "settings": s, "every_link": every_link}, fh)
        return find_links(
            reps, shingles, texts, signatures, s, scores, workers, words, window_owners, titles, every_link
        )

    run.find_links = captured
    Pipeline(Settings(), workers=2).scan([corpus], every_link=False)
    np.savez(PAIRS, pairs=band(1))


def band(rounds: int) -> np.ndarray:
    d = np.load(CAPTURE)
    matrix, reps, window_owners = d["matrix"], d["reps"], d["window_owners"]
    bands, rows = lsh_params(Settings().lsh_threshold, Settings().num_perm)
    mine = np.flatnonzero(np.isin(window_owners, reps))
    banded = np.concatenate((reps, matrix.shape[0] - window_owners.size + mine))
    owners = np.concatenate((reps, window_owners[mine]))
    is_window = np.arange(banded.size) >= reps.size
    pairs = np.empty((0, 2), dtype=np.int64)
    with SignatureFile(matrix.shape[1]) as signatures:
        signatures.append(matrix)
        signatures.seal()
        for _ in range(rounds):
            cpu, wall = time.process_time(), time.time()
            with candidate_blocks(signatures, bands, rows, rows_of=banded, min_shared=MIN_SHARED_VALUES, groups=owners,
                                  owners=owners, is_window=is_window) as blocks:  # fmt: skip
                pairs = np.concatenate(list(blocks))
            cpu, wall = time.process_time() - cpu, time.time() - wall
            digest = hashlib.md5(pairs.tobytes()).hexdigest()[:12]
            print(f"band CPU {cpu:.3f} s wall {wall:.3f} s pairs {len(pairs)} md5 {digest}", flush=True)
    return pairs


def verify(rounds: int) -> None:
    from dedup.pipeline.verify import VERIFY_CHUNK, VerifyState, verify_chunk

    d = np.load(CAPTURE)
    with open(META, "rb") as fh:
        meta = pickle.load(fh)
    pairs = np.load(PAIRS)["pairs"]
    with ShingleStore() as shingles, ShingleStore() as words, TextStore() as texts:
        shingles.append(d["shingles"], d["shingle_sizes"])
        words.append(d["words"], d["word_sizes"])
        texts.extend_encoded(d["texts"].tobytes(), d["text_sizes"])
        for store in (shingles, words, texts):
            store.flush()
        for _ in range(rounds):
            texts._analysed.clear()
            state = VerifyState(shingles, texts, meta["settings"], words, meta["titles"], meta["every_link"])
            cpu, wall = time.process_time(), time.time()
            links, scores = [], []
            for i in range(0, len(pairs), VERIFY_CHUNK):
                chunk_links, chunk_scores = verify_chunk(state, pairs[i : i + VERIFY_CHUNK])
                links.extend(chunk_links)
                scores.append(chunk_scores)
            cpu, wall = time.process_time() - cpu, time.time() - wall
            digest = hashlib.md5(repr(links).encode() + np.concatenate(scores).tobytes()).hexdigest()[:12]
            print(f"verify CPU {cpu:.3f} s wall {wall:.3f} s links {len(links)} md5 {digest}", flush=True)


if __name__ == "__main__":
    kernels.load()  # as in a scan of this size (the first run after a change compiles them: discard it)
    what, arg = sys.argv[1], sys.argv[2]
    if what == "capture":
        capture(arg)
    elif what == "band":
        band(int(arg))
    else:
        verify(int(arg))
