"""The per-batch stages a scan runs in its workers: what they send back is what the slow way computes."""

from pathlib import Path

import numpy as np

from dedup.clean import Cleaner
from dedup.document import Document
from dedup.fingerprint import Fingerprinter, shingle_hashes, token_hashes
from dedup.normalize import normalize
from dedup.pipeline.workers import StageState, clean_and_fingerprint
from dedup.settings import Settings

SEEDS = Path(__file__).resolve().parent.parent / "fixtures" / "seeds"


def _articles() -> list[Document]:
    """Real articles (fixtures/seeds, 340-500 words), one round-up of three of them and a short brief."""
    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    texts.append("\n\n".join(texts[:3]))
    texts.append("The port strike entered its third day on Monday as talks stalled again.")
    return [Document(id=str(k), text=t) for k, t in enumerate(texts)]


def test_a_long_documents_signature_from_its_windows_is_that_of_its_shingles() -> None:
    s = Settings(site_boilerplate=False)
    fp = Fingerprinter(num_perm=s.num_perm, ngram=s.ngram, seed=s.seed)
    docs = _articles()
    out = clean_and_fingerprint(StageState(Cleaner(), fp, s), docs)
    assert len(set(out.window_owners.tolist())) >= 3  # some documents have excerpt windows, some do not
    shingles = np.split(out.shingles, np.cumsum(out.sizes)[:-1])
    assert (out.signatures == fp.signatures(shingles)).all()
    # And those are the shingles of each text as normalised.
    assert (shingles[-1] == shingle_hashes(token_hashes(normalize(docs[-1].text, s.normalize)), s.ngram)).all()
