"""Write a reproducible corpus of news-like documents (JSONL) and the truth of which belong together.

Usage (from the repo root)::

    python bench/make_corpus.py 100000 -o /tmp/corpus-100k.jsonl       # also writes /tmp/corpus-100k.truth.tsv

How documents are made (everything drawn from one ``numpy`` generator seeded with ``--seed``, so the same
arguments give byte-identical files):

* Text comes from real news: sentences of SaudiNewsNet (Arabic, ``--arabic``) and of the WCXB / AEB article
  bodies (English, ``--english``), tokenised on whitespace. An *original* article is 300-1,200 words of
  sentences, 2-4 sentences a paragraph; 10% of its words are replaced by words drawn from the language's
  corpus (frequency-weighted), so that re-used sentences are never verbatim and every original is its own text.
* Topics: originals come in topics of ~20 articles; a quarter of each article's sentences come from its
  topic's pool of 60 sentences, so articles on one topic share quotes and background (pairwise Jaccard of
  word 3-grams around 0.05-0.15) without being duplicates.
* Groups: each original gets, with probability ``--exact`` (default 0.10), 1-3 *exact copies* (same title and
  text, another outlet), and with probability ``--near`` (default 0.20), 1-3 *near-duplicate rewrites*: a
  headline edit, one paragraph dropped (long articles) and/or one new paragraph added, 2% of words changed,
  and for Arabic, another outlet's spelling habits (أ/إ/آ → ا or back, ة ↔ ه, ى ↔ ي, tatweel, diacritics,
  Arabic-Indic digits) on 30% of the words they apply to. The truth puts an original and all its copies and
  rewrites in one group.
* 70% of originals are Arabic (``--arabic-share``). Some outlets end their pages with a fixed footer line
  ("تابعونا على تويتر @outlet"), the kind of site boilerplate ``dedup`` learns and strips.
* ``--words MIN MAX`` sets an original's length (default 300-1,200 words). ``--days D`` spreads publication
  dates over D days from 2024-01-01, each copy or rewrite 0 to ``--copy-days`` (default 3) days after its
  original, as republished news is; without it every document gets a random day of March 2024.
* Documents are shuffled, so copies are not next to each other. Fields: id, source, url, date, title, text.
  ``--group-order PATH`` also keeps the records as they were made, each original followed by its copies and
  rewrites: the first N lines of it are N documents of whole groups, a smaller corpus of the same recipe (the
  first N lines of the shuffled output are a sample that splits groups).

The truth file has one ``id<TAB>group`` line per document.
"""

from __future__ import annotations

import argparse
import datetime
import gzip
import json
import re
import sys
import time
from operator import itemgetter
from pathlib import Path

import numpy as np

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
_SENT_SPLIT = re.compile(r"(?<=[.!?؟])\s+|\n+")
_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
_DIACRITICS = ["\u064e", "\u064f", "\u0650", "\u0651", "\u064b", "\u0652"]
_FOOTERS_AR = ["تابعونا على تويتر @{s}", "جميع الحقوق محفوظة لـ {s} ©", "اقرأ أيضاً على {s}"]
_FOOTERS_EN = ["Follow us on Twitter @{s}", "© {s} All rights reserved", "Read more on {s}"]


class Language:
    """A language's sentences as token-id slices of one int32 array, and its vocabulary."""

    def __init__(self, texts: list[str], min_words: int = 6) -> None:
        vocab: dict[str, int] = {}
        ids: list[int] = []
        starts: list[int] = []
        for text in texts:
            for sent in _SENT_SPLIT.split(text):
                words = sent.split()
                if len(words) < min_words:
                    continue
                starts.append(len(ids))
                ids.extend(vocab.setdefault(w, len(vocab)) for w in words)
        starts.append(len(ids))
        self.tokens = np.asarray(ids, dtype=np.int32)
        self.starts = np.asarray(starts, dtype=np.int64)
        self.lengths = np.diff(self.starts)
        self.vocab = list(vocab)

    @property
    def sentences(self) -> int:
        return self.lengths.size

    def sentence(self, k: int) -> np.ndarray:
        return self.tokens[self.starts[k] : self.starts[k + 1]]

    def text(self, ids: np.ndarray) -> str:
        if ids.size == 1:
            return self.vocab[int(ids[0])]
        return " ".join(itemgetter(*ids.tolist())(self.vocab))


def load_languages(data: Path) -> tuple[Language, Language]:
    arabic = []
    with gzip.open(data / "saudinewsnet-dev" / "docs.jsonl.gz", "rt", encoding="utf-8") as fh:
        for line in fh:
            d = json.loads(line)
            arabic.append(d.get("text") or "")
    english = []
    for name in ("wcxb-articles-dev", "article-extraction-benchmark"):
        truth = json.loads((data / name / "ground-truth.json").read_text(encoding="utf-8"))
        english.extend(v.get("articleBody") or "" for v in truth.values())
    return Language(arabic), Language(english)


class Generator:
    def __init__(
        self,
        ar: Language,
        en: Language,
        rng: np.random.Generator,
        arabic_share: float,
        topic_size: int = 20,
        topic_pool: int = 60,
        words: tuple[int, int] = (300, 1200),
    ) -> None:
        self.langs = {"ar": ar, "en": en}
        self.rng = rng
        self.arabic_share = arabic_share
        self.topic_size = topic_size
        self.topic_pool = topic_pool
        self.words = words
        self._topics: dict[str, tuple[np.ndarray, int]] = {}

    def _topic(self, lang: str) -> np.ndarray:
        pool, left = self._topics.get(lang, (np.empty(0, dtype=np.int64), 0))
        if left == 0:
            pool = self.rng.integers(0, self.langs[lang].sentences, self.topic_pool)
            left = int(self.rng.integers(self.topic_size // 2, self.topic_size * 3 // 2 + 1))
        self._topics[lang] = (pool, left - 1)
        return pool

    def _sentences(self, lang: str, n_words: int, topic: np.ndarray | None) -> list[np.ndarray]:
        L, rng = self.langs[lang], self.rng
        out, total = [], 0
        while total < n_words:
            if topic is not None and rng.random() < 0.25:
                k = int(topic[rng.integers(topic.size)])
            else:
                k = int(rng.integers(L.sentences))
            ids = L.sentence(k).copy()
            swap = rng.random(ids.size) < 0.10
            if swap.any():
                ids[swap] = L.tokens[rng.integers(0, L.tokens.size, int(swap.sum()))]
            out.append(ids)
            total += ids.size
        return out

    def _paragraphs(self, sentences: list[np.ndarray]) -> list[list[np.ndarray]]:
        paras, i = [], 0
        while i < len(sentences):
            k = int(self.rng.integers(2, 5))
            paras.append(sentences[i : i + k])
            i += k
        return paras

    def original(self) -> dict:
        rng = self.rng
        lang = "ar" if rng.random() < self.arabic_share else "en"
        n_words = int(rng.integers(self.words[0], self.words[1] + 1))
        topic = self._topic(lang)
        title = self._sentences(lang, 8, None)[0][:14]
        body = self._paragraphs(self._sentences(lang, n_words, topic))
        return {"lang": lang, "title": title, "paras": body}

    def rewrite(self, art: dict) -> dict:
        rng, L = self.rng, self.langs[art["lang"]]
        title = art["title"].copy()
        # Headline edit: change 1-3 words, sometimes drop the last words.
        for _ in range(int(rng.integers(1, 4))):
            title[rng.integers(title.size)] = L.tokens[rng.integers(L.tokens.size)]
        if title.size > 6 and rng.random() < 0.5:
            title = title[: title.size - int(rng.integers(1, 3))]
        paras = [list(p) for p in art["paras"]]
        if len(paras) >= 5 and rng.random() < 0.5:
            del paras[int(rng.integers(1, len(paras)))]
        if rng.random() < 0.5:
            paras.insert(int(rng.integers(1, len(paras) + 1)), self._sentences(art["lang"], 40, None))
        new = []
        for p in paras:
            q = []
            for s in p:
                s = s.copy()
                edit = rng.random(s.size) < 0.02
                if edit.any():
                    s[edit] = L.tokens[rng.integers(0, L.tokens.size, int(edit.sum()))]
                q.append(s)
            new.append(q)
        return {"lang": art["lang"], "title": title, "paras": new, "noisy": art["lang"] == "ar"}

    def render(self, art: dict) -> tuple[str, str]:
        L = self.langs[art["lang"]]
        title = L.text(art["title"])
        text = "\n".join(" ".join(L.text(s) for s in p) for p in art["paras"])
        if art.get("noisy"):
            title, text = self.orthographic_noise(title), self.orthographic_noise(text)
        return title, text

    def orthographic_noise(self, text: str) -> str:
        """Another outlet's Arabic spelling habits, each applied to 30% of the places it can apply."""
        rng = self.rng
        habits = rng.random(6) < 0.5
        words = text.split(" ")
        hit = rng.random(len(words)) < 0.3
        for i in np.flatnonzero(hit).tolist():
            w = words[i]
            if habits[0] and w[:1] in "أإآ":
                w = "ا" + w[1:]
            elif habits[0] and w[:2] == "ال" and len(w) > 3 and w[2] == "ا":
                w = "الأ" + w[3:]
            if habits[1] and w.endswith("ة"):
                w = w[:-1] + "ه"
            if habits[2] and w.endswith("ى"):
                w = w[:-1] + "ي"
            if habits[3] and len(w) > 3:
                w = w[:2] + "ـ" + w[2:]
            if habits[4] and len(w) > 2:
                w = w[:2] + _DIACRITICS[i % len(_DIACRITICS)] + w[2:]
            if habits[5]:
                w = w.translate(_DIGITS)
            words[i] = w
        return " ".join(words)


def generate(
    n: int,
    out: Path,
    truth: Path,
    seed: int,
    arabic_share: float,
    exact: float,
    near: float,
    ar: Language,
    en: Language,
    words: tuple[int, int] = (300, 1200),
    days: int = 0,
    copy_days: int = 3,
    group_order: Path | None = None,
) -> dict[str, int]:
    rng = np.random.default_rng(seed)
    gen = Generator(ar, en, rng, arabic_share, words=words)
    start = datetime.date(2024, 1, 1)
    first_day = 0
    outlets = [f"outlet{k:02d}" for k in range(40)]
    footers = {o: (k % 3 if k % 4 == 0 else None) for k, o in enumerate(outlets)}
    # First decide the group sizes (ids are assigned after shuffling), then write in shuffled order.
    members: list[tuple[int, str]] = []  # (group, kind) per document
    group = 0
    while len(members) < n:
        members.append((group, "original"))
        if rng.random() < exact:
            members.extend((group, "exact") for _ in range(int(rng.integers(1, 4))))
        if rng.random() < near:
            members.extend((group, "near") for _ in range(int(rng.integers(1, 4))))
        group += 1
    members = members[:n]
    order = rng.permutation(n)
    position = np.empty(n, dtype=np.int64)
    position[order] = np.arange(n)
    # Render group by group (an original is needed for its copies) into a temporary file, remembering where
    # each record went, then copy the records out in shuffled order: memory stays flat at a million documents.
    counts = {"original": 0, "exact": 0, "near": 0}
    tmp = out.with_suffix(out.suffix + ".tmp")
    offsets = np.zeros(n, dtype=np.int64)
    lengths = np.zeros(n, dtype=np.int64)
    groups = np.zeros(n, dtype=np.int64)
    with open(tmp, "wb") as fh:
        art = rendered = None
        for gen_index, (g, kind) in enumerate(members):
            if kind == "original":
                art = gen.original()
                base = art
            elif kind == "exact":
                base = art
            else:
                base = gen.rewrite(art)
            counts[kind] += 1
            pos = int(position[gen_index])
            outlet = outlets[int(rng.integers(len(outlets)))]
            if kind == "exact":
                title, text = rendered  # the group's original, verbatim
            else:
                title, text = gen.render(base)
                if kind == "original":
                    rendered = (title, text)
            f = footers[outlet]
            if f is not None and rng.random() < 0.8:
                text += "\n" + (_FOOTERS_AR if base["lang"] == "ar" else _FOOTERS_EN)[f].format(s=outlet)
            if days:  # a crawl of `days` days from 2024-01-01; copies and rewrites within days of their original
                if kind == "original":
                    first_day = int(rng.integers(0, days))
                    date = start + datetime.timedelta(first_day)
                else:
                    date = start + datetime.timedelta(first_day + int(rng.integers(0, copy_days + 1)))
                date_s = date.isoformat()
            else:
                date_s = f"2024-03-{int(rng.integers(1, 28)):02d}"
            rec = {
                "id": f"d{pos:07d}",
                "source": outlet,
                "url": f"https://{outlet}.example/a/{pos}",
                "date": date_s,
                "title": title,
                "text": text,
            }
            data = (json.dumps(rec, ensure_ascii=False) + "\n").encode("utf-8")
            offsets[pos] = fh.tell()
            lengths[pos] = len(data)
            groups[pos] = g
            fh.write(data)
    with open(tmp, "rb") as src, open(out, "wb") as dst, open(truth, "w", encoding="utf-8") as tr:
        for pos in range(n):
            src.seek(offsets[pos])
            dst.write(src.read(lengths[pos]))
            tr.write(f"d{pos:07d}\t{groups[pos]}\n")
    if group_order is not None:
        tmp.replace(group_order)
    else:
        tmp.unlink()
    return counts


def truth_path(corpus: Path) -> Path:
    name = corpus.name[: -len(".jsonl")] if corpus.name.endswith(".jsonl") else corpus.name
    return corpus.with_name(name + ".truth.tsv")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("n", type=int, help="number of documents")
    ap.add_argument("-o", "--output", type=Path, required=True, help="corpus JSONL (truth goes to .truth.tsv)")
    ap.add_argument("--seed", type=int, default=20240301)
    ap.add_argument("--arabic-share", type=float, default=0.7)
    ap.add_argument("--exact", type=float, default=0.10, help="share of originals with exact copies")
    ap.add_argument("--near", type=float, default=0.20, help="share of originals with near-duplicate rewrites")
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--words", type=int, nargs=2, default=(300, 1200), metavar=("MIN", "MAX"), help="original length")
    ap.add_argument(
        "--days",
        type=int,
        default=0,
        help="dates spread over this many days from 2024-01-01 (0: any day of March 2024)",
    )
    ap.add_argument("--copy-days", type=int, default=3, help="with --days: copies dated 0 to this many days after")
    ap.add_argument(
        "--group-order",
        type=Path,
        help="also keep the same records in the order they were made, group by group (a prefix of it is a whole "
        "smaller corpus; a prefix of OUTPUT, shuffled, splits groups)",
    )
    args = ap.parse_args()
    t0 = time.perf_counter()
    ar, en = load_languages(args.data)
    truth = truth_path(args.output)
    counts = generate(
        args.n, args.output, truth, args.seed, args.arabic_share, args.exact, args.near, ar, en,
        tuple(args.words), args.days, args.copy_days, args.group_order,
    )  # fmt: skip
    print(
        f"{args.n} documents ({counts}) -> {args.output}, truth -> {truth} in {time.perf_counter() - t0:.0f}s",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
