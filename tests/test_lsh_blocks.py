"""Candidate pairs banded a share of bands at a time, filed by block of first rows (spilled to disk or not) and
read back a block at a time: the same pairs, in the same order, as banding everything at once."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup.lsh import candidate_blocks, candidate_pairs, owner_pairs


def reference_pairs(
    sigs: np.ndarray, bands: int, rows: int, max_bucket: int, min_shared: int, groups: np.ndarray | None
) -> list[tuple[int, int]]:
    """All-at-once banding in plain Python: each band's buckets (rows in position order), a group's later rows
    in a bucket dropped, each member paired with the next ``max_bucket`` members, pairs sharing fewer than
    ``min_shared`` signature values dropped."""
    found: set[tuple[int, int]] = set()
    for band in range(bands):
        buckets: dict[tuple[int, ...], list[int]] = {}
        for i in range(sigs.shape[0]):
            buckets.setdefault(tuple(sigs[i, band * rows : band * rows + rows].tolist()), []).append(i)
        for members in buckets.values():
            if groups is not None:
                seen: set[int] = set()
                members = [m for m in members if not (int(groups[m]) in seen or seen.add(int(groups[m])))]
            for k, a in enumerate(members):
                for b in members[k + 1 : k + 1 + max_bucket]:
                    if int((sigs[a] == sigs[b]).sum()) >= min_shared:
                        found.add((a, b))
    return sorted(found)


@st.composite
def signature_batches(draw: st.DrawFn) -> tuple[np.ndarray, int, int]:
    bands = draw(st.integers(1, 6))
    rows = draw(st.integers(1, 3))
    n = draw(st.integers(0, 40))
    # Few distinct values, so that buckets of several rows are common.
    values = draw(st.lists(st.integers(0, 3), min_size=n * bands * rows, max_size=n * bands * rows))
    return np.array(values, dtype=np.uint32).reshape(n, bands * rows), bands, rows


@settings(max_examples=150, deadline=None)
@given(
    batch=signature_batches(),
    block_rows=st.integers(1, 50),
    spill_bytes=st.sampled_from([0, 8, 64, 1 << 20]),
    max_bucket=st.integers(1, 5),
    min_shared=st.integers(0, 3),
    grouped=st.booleans(),
    share_rows=st.integers(1, 60),
)
def test_blocks_give_the_all_at_once_pairs_in_order(
    batch, block_rows, spill_bytes, max_bucket, min_shared, grouped, share_rows
):
    sigs, bands, rows = batch
    n = sigs.shape[0]
    groups = np.arange(n) // 3 if grouped else None
    expected = reference_pairs(sigs, bands, rows, max_bucket, min_shared, groups)
    with candidate_blocks(
        sigs, bands, rows, max_bucket, min_shared=min_shared, groups=groups, block_rows=block_rows,
        spill_bytes=spill_bytes, share_rows=share_rows,
    ) as blocks:  # fmt: skip
        parts = [p.tolist() for p in blocks]
    assert [tuple(p) for part in parts for p in part] == expected
    # A block holds only pairs whose first row is in it, and no block is empty.
    for part in parts:
        assert part and len({a // block_rows for a, _ in part}) == 1
    assert candidate_pairs(sigs, bands, rows, max_bucket, min_shared=min_shared, groups=groups).tolist() == [
        list(p) for p in expected
    ]


@settings(max_examples=100, deadline=None)
@given(
    batch=signature_batches(),
    block_rows=st.integers(1, 20),
    spill_bytes=st.sampled_from([0, 1 << 20]),
    share_rows=st.integers(1, 60),
)
def test_owner_blocks_give_the_owner_pairs_of_all_pairs(batch, block_rows, spill_bytes, share_rows):
    """Documents and their excerpt windows: the blocks are pairs of documents, as owner_pairs makes them."""
    sigs, bands, rows = batch
    n = sigs.shape[0]
    docs = (n + 1) // 2  # the first rows are documents 0..docs-1, the rest windows of some of them
    owners = np.concatenate((np.arange(docs), (np.arange(n - docs) * 7) % max(docs, 1))).astype(np.int64)
    is_window = np.arange(n) >= docs
    everything = candidate_pairs(sigs, bands, rows, groups=owners)
    expected = owner_pairs(everything, owners, is_window).tolist()
    with candidate_blocks(
        sigs, bands, rows, groups=owners, owners=owners, is_window=is_window, block_rows=block_rows,
        spill_bytes=spill_bytes, share_rows=share_rows,
    ) as blocks:  # fmt: skip
        got = [p for part in blocks for p in part.tolist()]
    assert got == expected


def test_spilled_blocks_leave_no_file_open_when_not_read():
    sigs = np.array([[1, 2], [1, 2], [3, 4], [3, 4]], dtype=np.uint32)
    with candidate_blocks(sigs, 1, 2, block_rows=1, spill_bytes=0) as blocks:
        spilled = blocks._file
        assert spilled is not None and not spilled.closed
    assert spilled.closed and blocks._file is None


def test_bands_shared_by_two_workers_give_the_same_blocks():
    rng = np.random.default_rng(5)
    sigs = rng.integers(0, 6, size=(400, 16), dtype=np.uint32)
    one = candidate_pairs(sigs, 8, 2, min_shared=3)
    with candidate_blocks(sigs, 8, 2, min_shared=3, workers=2, block_rows=64, spill_bytes=1024) as blocks:
        two = np.concatenate(list(blocks))
    assert one.size and two.tolist() == one.tolist()


def test_a_scan_in_tiny_blocks_finds_the_same_clusters_and_scores(monkeypatch):
    """Real articles (some long enough for excerpt windows), a round-up of three of them, edited copies, halves
    of two articles joined: the
    scan's candidates in blocks of two documents, spilled at once, banded a few rows a share, give the clusters,
    links and candidate similarities of the scan in one block."""
    from pathlib import Path

    import dedup.lsh
    from dedup.document import Document
    from dedup.pipeline.run import scan_documents
    from dedup.settings import Settings

    seeds = Path(__file__).resolve().parent.parent / "fixtures" / "seeds"
    texts = [p.read_text(encoding="utf-8") for p in sorted(seeds.glob("*.txt"))]
    docs = [Document(id=f"s{k}", text=t) for k, t in enumerate(texts)]
    docs.append(Document(id="roundup", text="\n\n".join(texts[:3])))
    docs += [Document(id=f"c{k}", text=t.replace(".", " .", 3) + " Reporting by staff.") for k, t in enumerate(texts)]
    docs.append(Document(id="exact", text=texts[0]))
    for k in range(len(texts)):  # half of one article, half of the next: candidates, not all of them copies
        a, b = texts[k].split(), texts[(k + 1) % len(texts)].split()
        docs.append(Document(id=f"h{k}", text=" ".join(a[: len(a) // 2] + b[len(b) // 2 :])))
    settings = Settings(site_boilerplate=False)

    def outcome():
        result = scan_documents(docs, settings)
        clusters = [sorted((result.documents[i].id, round(sim, 4)) for i, sim in c.members) for c in result.clusters]
        return clusters, result.links, result.candidate_similarities.tolist()

    whole = outcome()
    assert len(whole[0]) >= 3 and len(whole[2]) > len(whole[1])  # copies found, and candidates that failed
    monkeypatch.setattr(dedup.lsh, "BLOCK_ROWS", 2)
    monkeypatch.setattr(dedup.lsh, "SPILL_BYTES", 0)
    monkeypatch.setattr(dedup.lsh, "SHARE_ROWS", 3)
    assert outcome() == whole
