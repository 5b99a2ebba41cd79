"""ShingleStore.gather reads many documents' sets at once: the same sets as reading them one at a time, across
segments written here and by other processes, whatever the gap allowed between two documents of one read."""

from __future__ import annotations

import numpy as np
import pytest

import dedup.pipeline.stores as stores
from dedup.fingerprint import Fingerprinter
from dedup.normalize import normalize
from dedup.pipeline.stores import ShingleStore

TEXTS = [
    "وقعت امانة العاصمة المقدسة عقود تنفيذ مشاريع سفلتة وإنارة الطرق في مخططات المنح بقيمة 197 مليون ريال",
    "",  # an empty document after cleaning: an empty set
    "the port authority said on monday that talks with the unions had stalled again over night shifts",
    "أبرمت أمانة العاصمة المقدسة عقودا بقيمة 197 مليون ريال لسفلتة وإنارة طرق مخططات المنح",
    "the council approved the annual budget late on tuesday after a long debate about school repairs",
    "وأوضح أمين العاصمة المقدسة أن المشاريع تشمل سفلتة أكثر من 420 كيلومترا من الشوارع الداخلية",
]


@pytest.mark.parametrize("gap", [0, 64, 1 << 20])
def test_gather_gives_each_documents_set_across_segments(tmp_path, monkeypatch, gap: int) -> None:
    monkeypatch.setattr(stores, "READ_GAP", gap)
    fp = Fingerprinter()
    sets = [fp.text_shingles(normalize(t)) if t else np.empty(0, dtype=np.uint32) for t in TEXTS]
    other = tmp_path / "worker-shingles"  # what a worker process writes: a header, then its documents' sets
    other.write_bytes(b"header.." + np.concatenate(sets[2:4]).tobytes())
    with ShingleStore() as store:
        store.append(np.concatenate(sets[:2]), np.array([s.size for s in sets[:2]]))
        store.append_stored(str(other), 8, np.array([s.size for s in sets[2:4]]))
        store.append(np.concatenate(sets[4:]), np.array([s.size for s in sets[4:]]))
        store.flush()
        for ids in ([0, 1, 2, 3, 4, 5], [1, 3, 5], [2], [0, 4]):
            flat, starts, ends = store.gather(np.array(ids))
            assert not flat.flags.writeable
            got = [flat[lo:hi].tolist() for lo, hi in zip(starts.tolist(), ends.tolist())]
            assert got == [store[i].tolist() for i in ids] == [sets[i].tolist() for i in ids]
