"""The scan's exact groups from columns (dedup.pipeline.run.exact_copies) are dedup.cluster.exact_groups'."""

import hashlib

import numpy as np
import pytest

from dedup.cluster import exact_groups, keep_order
from dedup.document import DocInfo
from dedup.normalize import normalize
from dedup.pipeline.run import exact_copies

STORIES = [
    "أعلنت وزارة الصحة عن افتتاح مستشفى جديد في جدة بطاقة ثلاثمائة سرير",
    "The port strike entered its third day on Monday as talks stalled again",
    "ارتفعت أسعار النفط في التعاملات الآسيوية بعد تراجع المخزونات الأمريكية",
    "Parliament approved the annual budget after a long night of debate",
]


def _documents() -> list[DocInfo]:
    """Stories and their exact copies (other spellings that normalise alike), dated, from several sites, with
    empty documents among them."""
    variants = [lambda t: t, lambda t: t.upper(), lambda t: f"  {t}  ", lambda t: t.replace("أ", "ا")]
    docs = []
    for k in range(40):
        text = "" if k % 13 == 5 else variants[k % 4](STORIES[(k * 7) % len(STORIES)]) + (" " + str(k % 3)) * (k % 2)
        folded = normalize(text)
        digest = hashlib.blake2b(folded.encode("utf-8"), digest_size=16).hexdigest()
        date = None if k % 5 == 0 else f"2015-07-{1 + (k * 11) % 28:02d}"
        source = ["sabq.org", "alriyadh.com", None][k % 3]
        docs.append(
            DocInfo(f"d{k}", "", source, date, f"news.jsonl:{k + 1}", "news.jsonl", ".", len(folded.split()), digest)
        )
    return docs


@pytest.mark.parametrize("keep", ["first", "longest", "earliest", "source"])
def test_exact_copies_are_the_exact_groups(keep: str) -> None:
    docs = _documents()
    order = keep_order(docs, keep, ["alriyadh.com"])
    words = np.array([d.words for d in docs], dtype=np.int64)
    digests = np.frombuffer(b"".join(bytes.fromhex(d.digest) for d in docs), dtype=np.uint64).reshape(-1, 2)
    expected = exact_groups(docs, order)
    found = exact_copies(order, words, digests)
    assert list(found.items()) == list(expected.items())  # the same groups, in the same order
    assert any(len(copies) >= 2 for copies in found.values())  # the corpus has copies to group
    assert not any(d.words == 0 and i in found for i, d in enumerate(docs))
