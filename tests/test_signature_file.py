"""The signature matrix kept in a temporary file (dedup.pipeline.stores.SignatureFile): read back as the array
it was, in blocks of rows or all at once, banded to the same candidates, and not left in the process's memory."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from dedup.document import Document
from dedup.fingerprint import Fingerprinter
from dedup.lsh import candidate_blocks
from dedup.pipeline.stores import SignatureFile

SEEDS = Path(__file__).resolve().parent.parent / "fixtures" / "seeds"


def seed_signatures() -> np.ndarray:
    """MinHash signatures of the seed articles (Arabic and English) and of edited copies of them."""
    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    texts += [t.replace(".", " .", 3) + " Reporting by staff." for t in texts]
    fp = Fingerprinter()
    return fp.signatures([fp.text_shingles(" ".join(t.split())) for t in texts])


def file_of(matrix: np.ndarray, pieces: int = 3) -> SignatureFile:
    out = SignatureFile(matrix.shape[1])
    for part in np.array_split(matrix, pieces):
        out.append(part)
    return out


@pytest.mark.parametrize("block_rows", [8, 1 << 14])
def test_rows_and_columns_read_back_as_the_array_gives_them(monkeypatch, block_rows):
    monkeypatch.setattr(SignatureFile, "BLOCK_ROWS", block_rows)  # 8 rows of 128 values: one 4 KB page
    rng = np.random.default_rng(3)
    matrix = rng.integers(0, 2**32, size=(83, 128), dtype=np.uint32)
    with file_of(matrix[:60]) as m, file_of(matrix[60:], 2) as windows:
        m.extend(windows)  # documents' rows, then windows'
        m.seal()
        assert m.shape == matrix.shape
        for cols in (slice(0, 2), slice(126, 128), slice(None)):
            assert np.array_equal(m[:, cols], matrix[:, cols])
        picked = np.array([82, 0, 7, 8, 8, 81, 40])  # unordered, repeated, across blocks
        assert np.array_equal(m[picked], matrix[picked])
        assert np.array_equal(m[np.sort(picked), slice(4, 6)], matrix[np.sort(picked), 4:6])
        assert m[np.empty(0, dtype=np.int64)].shape == (0, 128)


def test_seed_signatures_band_to_the_same_candidates_from_the_file(monkeypatch):
    monkeypatch.setattr(SignatureFile, "BLOCK_ROWS", 8)
    sigs = seed_signatures()
    rows_of = np.arange(1, sigs.shape[0])  # banded rows a subset, as find_links bands the distinct texts
    kinds = {}
    for name, matrix in (("array", sigs), ("file", file_of(sigs))):
        if isinstance(matrix, SignatureFile):
            matrix.seal()
        with candidate_blocks(matrix, 32, 4, rows_of=rows_of, min_shared=4, workers=2, block_rows=4) as blocks:
            kinds[name] = [b.tolist() for b in blocks]
    assert any(kinds["array"]) and kinds["file"] == kinds["array"]  # the edited copies are candidates


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/smaps")
def test_rows_read_are_not_left_in_the_process_memory():
    rng = np.random.default_rng(4)
    matrix = rng.integers(0, 2**32, size=(1 << 15, 128), dtype=np.uint32)  # 16 MB: two blocks
    with file_of(matrix) as m:
        m.seal()
        view = np.frombuffer(m._map, dtype=np.uint8, count=1)
        address = view.ctypes.data
        del view
        assert np.array_equal(m[:, slice(0, 4)], matrix[:, :4])
        assert np.array_equal(m[np.array([5, 20000, 3])], matrix[[5, 20000, 3]])
        assert mapped_kb(address) == 0


def mapped_kb(address: int) -> int:
    """Resident kB of the mapping that holds ``address`` (/proc/self/smaps)."""
    inside = False
    for line in Path("/proc/self/smaps").read_text().splitlines():
        head = line.split()[0]
        if "-" in head and ":" not in head:
            lo, hi = (int(x, 16) for x in head.split("-"))
            inside = lo <= address < hi
        elif inside and head == "Rss:":
            return int(line.split()[1])
    raise AssertionError("mapping not found")


def test_a_scan_with_the_matrix_in_small_file_blocks_finds_the_same_clusters(monkeypatch):
    from dedup.pipeline.run import scan_documents
    from dedup.settings import Settings

    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    docs = [Document(id=f"s{k}", text=t) for k, t in enumerate(texts)]
    docs.append(Document(id="roundup", text="\n\n".join(texts[:3])))
    docs += [Document(id=f"c{k}", text=t.replace(".", " .", 3) + " Reporting by staff.") for k, t in enumerate(texts)]

    def outcome():
        result = scan_documents(docs, Settings(site_boilerplate=False))
        clusters = [sorted((result.documents[i].id, round(sim, 4)) for i, sim in c.members) for c in result.clusters]
        return clusters, result.links, result.candidate_similarities.tolist()

    whole = outcome()
    assert len(whole[0]) >= 3
    monkeypatch.setattr(SignatureFile, "BLOCK_ROWS", 8)
    assert outcome() == whole
