"""What removal loses: for every document a scan would remove, the share of its distinct content words that the
kept copy does not have. A removal "loses content" when most of them (over half) are missing.

    python bench/coverage_audit.py [INPUT ...]   # default: the SaudiNewsNet dev month in ../shared

Prints the number of removals, how many lose content, and the worst few (ids, words, share missing). The
content words are those of :func:`dedup.fingerprint.content_words` (3+ characters, or holding a digit), read
from the cleaned, normalised texts.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from dedup.normalize import normalize
from dedup.pipeline import Pipeline
from dedup.settings import Settings

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "saudinewsnet-dev" / "docs.jsonl.gz"


def content(text: str) -> set[str]:
    return {w for w in normalize(text).split() if len(w) >= 3 or not w.isalpha()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("inputs", nargs="*", default=[str(DATA)])
    ap.add_argument("--keep", default="first")
    ap.add_argument("--show", type=int, default=10)
    args = ap.parse_args()
    settings = Settings(keep=args.keep)
    result = Pipeline(settings).scan(args.inputs)
    words = [content(d.full_text) for d in Pipeline(settings).documents(args.inputs, explain=False)]
    rows = []
    for doc, _cluster, kept, _sim in result.dropped():
        mine = words[doc]
        missing = len(mine - words[kept]) / len(mine) if mine else 0.0
        rows.append((missing, result.documents[doc].id, result.documents[kept].id, len(mine)))
    lossy = [r for r in rows if r[0] > 0.5]
    print(
        f"removals {len(rows)}  losing most of their content words {len(lossy)} ({len(lossy) / max(1, len(rows)):.2%})"
        f"  missing > 25%: {sum(r[0] > 0.25 for r in rows)}"
    )
    for missing, doc, kept, n in sorted(rows, reverse=True)[: args.show]:
        print(f"  {missing:.2f} of {n} words missing: {doc} removed for {kept}")


if __name__ == "__main__":
    main()
