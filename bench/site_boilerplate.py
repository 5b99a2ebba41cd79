"""Site boilerplate learned across a corpus: how much chrome goes, how much article text is lost.

Usage (from the repo root)::

    python bench/site_boilerplate.py                      # score tests/data/site-boilerplate/pages.jsonl.gz
    python bench/site_boilerplate.py --generate           # (re)write that fixture, deterministically
    python bench/site_boilerplate.py --snn 200            # eyeball removals on real SaudiNewsNet text
    python bench/site_boilerplate.py --story-keys         # how often versions / different stories share a key

The fixture is many pages from a few made-up sites. Article paragraphs are built from sentences of
``fixtures/seeds`` (the repo's own seed stories) and sentences written for this file, two or three per paragraph,
so paragraphs do not repeat across pages; each site then wraps them in its own chrome: menu and breadcrumb lines
at the top, rotating "اقرأ أيضاً" titles and an app promo in the middle, sign-off, tags, social and footer lines at
the bottom, each on a share of the pages only. Every line carries a label: ``chrome`` holds the indices of the
boilerplate lines of ``text``.

Scoring runs the two passes of ``dedup clean``: page cleaning (line rules) and ``Cleaner.learn`` over every page
(first pass), then ``Cleaner.clean_site`` (second pass). ``removed%`` = chrome lines removed / chrome lines,
``lost%`` = article lines removed / article lines. Both are printed for the learned site rules alone (no line
rules) and for the whole cleaner.

``--story-keys`` measures what site boilerplate counting relies on (:func:`dedup.clean.site.story_keys`): how often
two versions of one story share a story key (they must, to count as one story) and how often two different stories
of one site do (they should not). Versions are made from real SaudiNewsNet articles of at least three paragraphs,
edited as an update is: a paragraph added (taken from another article of the same source), a figure changed and
a sentence reworded, or, heavier, also one paragraph dropped. Different stories are random pairs of articles of
one source, and every pair of pages of one site of the fixture above (whose stories share sentences, so more
than real stories do). Each kind of pair is reported with its mean share of 3-grams (Jaccard).
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import sys
from collections import Counter
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dedup.clean import Cleaner, LineRules  # noqa: E402
from dedup.clean.site import SiteBoilerplate, story_keys  # noqa: E402
from dedup.document import Document  # noqa: E402
from dedup.fingerprint import shingle_hashes, token_hashes  # noqa: E402
from dedup.normalize import normalize_lines  # noqa: E402

FIXTURE = ROOT / "tests" / "data" / "site-boilerplate" / "pages.jsonl.gz"
SNN = ROOT.parent / "shared" / "data" / "saudinewsnet-dev" / "docs.jsonl.gz"

# Sentences written for this fixture (news-like, varied), added to those of the seed stories.
_EXTRA = """\
أعلنت وزارة الزراعة عن خطة جديدة لدعم المزارعين في المناطق الشمالية خلال الموسم المقبل.
قال مسؤول في الهيئة العامة للطرق إن أعمال الصيانة ستنتهي قبل نهاية الشهر الجاري.
وأشار التقرير إلى ارتفاع أعداد الطلاب المسجلين في الجامعات الحكومية بنسبة ملحوظة.
وتوقعت الأرصاد الجوية هطول أمطار غزيرة على المرتفعات الغربية مع انخفاض في درجات الحرارة.
وأكد المتحدث باسم البلدية أن فرق الطوارئ تعمل على مدار الساعة لإصلاح الأعطال.
وشهدت الأسواق المحلية إقبالاً واسعاً على شراء المواد الغذائية قبيل العطلة الرسمية.
وبحث الجانبان سبل تعزيز التعاون في مجالات الطاقة والنقل والتعليم العالي.
ودعا المشاركون في المؤتمر إلى وضع آليات واضحة لمتابعة تنفيذ التوصيات.
وأوضح مدير المستشفى أن القسم الجديد سيستقبل المرضى اعتباراً من الأسبوع المقبل.
ولفت الخبير الاقتصادي إلى أن تقلبات أسعار الصرف تؤثر مباشرة في تكاليف الاستيراد.
وذكرت مصادر محلية أن الاجتماع تناول ملفات الخدمات والمياه والكهرباء في الريف.
ويأتي هذا القرار في إطار جهود الحكومة لتحسين بيئة الاستثمار وجذب رؤوس الأموال.
وأضاف أن اللجنة ستقدم تقريرها النهائي إلى مجلس الوزراء خلال ثلاثة أشهر.
ونقلت الوكالة عن شهود عيان أن حركة السير عادت إلى طبيعتها بعد ساعات من الإغلاق.
وبلغ عدد الزوار في المعرض أكثر من عشرين ألف زائر خلال الأيام الثلاثة الأولى.
وتعهدت الجهات المانحة بتقديم مساعدات إضافية لإعادة تأهيل المدارس المتضررة.
وشدد البيان على ضرورة احترام القانون الدولي وحماية المدنيين في مناطق النزاع.
وأفادت الإحصاءات الرسمية بتراجع معدل البطالة في الربع الأخير من العام.
وقررت إدارة النادي التعاقد مع مدرب جديد بعد سلسلة من النتائج المخيبة.
وافتتح المحافظ مركزاً صحياً في البلدة يخدم أكثر من خمسة عشر ألف نسمة.
The ministry said the new rules would take effect at the start of next month.
Officials expect the repairs to the main water line to be finished by Friday.
Local traders reported a sharp rise in demand ahead of the public holiday.
The report found that enrolment in state universities had grown for a third year.
Emergency crews worked through the night to restore power to the eastern districts.
"""

# Each site: its own chrome. top/middle/bottom: (line, share of pages carrying it). read_also: rotating titles.
SITES = {
    "akhbar-alyawm.example": {
        "top": [
            ("الرئيسية | سياسة | اقتصاد | رياضة | ثقافة | منوعات", 1.0),
            ("الرئيسية / أخبار محلية", 0.6),
            ("الأحد 14 ديسمبر 2025", 0.3),
        ],
        "middle": [("حمّل تطبيق أخبار اليوم الآن على أندرويد وآيفون", 0.5)],
        "bottom": [
            ("تابعونا على تيليجرام وواتساب للحصول على آخر الأخبار", 0.9),
            ("جميع الحقوق محفوظة © أخبار اليوم 2025", 1.0),
            ("من نحن | اتصل بنا | سياسة الخصوصية", 0.8),
        ],
        "read_also": "اقرأ أيضاً: {}",
    },
    "alsahel-news.example": {
        "top": [("أخبار الساحل", 1.0), ("عاجل | محليات | عربي ودولي | اقتصاد | رأي", 0.9)],
        "middle": [("إعلان", 0.7), ("شاهد أيضاً: {}", 0.0)],
        "bottom": [
            ("المصدر: الساحل نيوز", 0.8),
            ("الوسوم: سوريا، الحكومة، اقتصاد", 0.4),
            ("شارك الخبر", 1.0),
            ("© 2025 الساحل نيوز - يمنع النسخ دون إذن", 1.0),
        ],
        "read_also": "شاهد أيضاً: {}",
    },
    "wadi-times.example": {
        "top": [("الصفحة الرئيسية » الأخبار", 1.0)],
        "middle": [
            ("للاشتراك في نشرتنا اليومية أرسل كلمة اشترك إلى الرقم 5050", 0.4),
            ("تابع آخر التطورات لحظة بلحظة عبر قناتنا", 0.5),
        ],
        "bottom": [
            ("تحرير: قسم الأخبار - وادي تايمز", 0.7),
            ("أضف تعليقك", 0.6),
            ("وادي تايمز صحيفة إلكترونية مستقلة تصدر من عمّان", 1.0),
        ],
        "read_also": "اقرأ كذلك: {}",
    },
    "gulf-daily.example": {
        "top": [("Home | World | Business | Sport | Opinion", 1.0), ("Gulf Daily", 0.8)],
        "middle": [("Download the Gulf Daily app for breaking news alerts", 0.5), ("ADVERTISEMENT", 0.6)],
        "bottom": [
            ("Follow Gulf Daily on X and Instagram", 0.8),
            ("© 2025 Gulf Daily. All rights reserved.", 1.0),
            ("Terms of use | Privacy | Contact", 0.7),
        ],
        "read_also": "Read more: {}",
    },
}
PAGES_PER_SITE = 150
READ_ALSO_TITLES = 40


def _sentences() -> list[str]:
    out = [s.strip() for s in _EXTRA.splitlines() if s.strip()]
    for path in sorted((ROOT / "fixtures" / "seeds").glob("*.txt")):
        body = path.read_text(encoding="utf-8").splitlines()[1:]  # first line is the headline
        for para in body:
            out.extend(s.strip() for s in re.split(r"(?<=[.!؟?])\s+", para) if len(s.strip()) > 30)
    out = sorted(set(out))
    # The seeds end with their own sign-offs ("للمزيد من المعلومات ... المصدر"): chrome, not article text.
    rules = LineRules.builtin()
    return [s for s in out if rules.classify([s]) == [None]]


def generate(path: Path = FIXTURE, seed: int = 7) -> int:
    """Write the fixture: one JSON object per page with its text and the indices of its chrome lines."""
    rng = random.Random(seed)
    sentences = _sentences()
    rows = []
    for site, chrome in SITES.items():
        # Titles of the site's other stories, rotated through its "read also" slots.
        titles = [
            " ".join(rng.sample(s.split(), k=min(7, len(s.split())))).rstrip(".،")
            for s in rng.sample(sentences, READ_ALSO_TITLES)
        ]
        for n in range(PAGES_PER_SITE):
            lines: list[str] = []
            chrome_idx: list[int] = []

            def add(line: str, is_chrome: bool, lines: list[str] = lines, chrome_idx: list[int] = chrome_idx) -> None:
                if is_chrome:
                    chrome_idx.append(len(lines))
                lines.append(line)

            for line, share in chrome["top"]:
                if rng.random() < share:
                    add(line, True)
            paras = [" ".join(rng.sample(sentences, rng.randint(2, 3))) for _ in range(rng.randint(4, 9))]
            middle = [(ln, sh) for ln, sh in chrome["middle"] if "{}" not in ln and rng.random() < sh]
            slots = sorted(rng.sample(range(1, len(paras)), k=min(len(paras) - 1, len(middle) + 1)))
            read_also_at = slots[0]
            for i, para in enumerate(paras):
                if i == read_also_at:
                    for title in rng.sample(titles, rng.randint(1, 2)):
                        add(chrome["read_also"].format(title), True)
                if i in slots[1:]:
                    add(middle[slots.index(i) - 1][0], True)
                add(para, False)
            for line, share in chrome["bottom"]:
                if rng.random() < share:
                    add(line, True)
            rows.append(
                {"id": f"{site.split('.')[0]}-{n:03d}", "source": site, "text": "\n".join(lines), "chrome": chrome_idx}
            )
    path.parent.mkdir(parents=True, exist_ok=True)
    data = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows).encode("utf-8")
    path.write_bytes(gzip.compress(data, compresslevel=9, mtime=0))  # same bytes on every run
    return len(rows)


def load(path: Path = FIXTURE) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def score(rows: list[dict], rules: LineRules | None) -> dict[str, float]:
    """Two passes over the pages; chrome removed and body lost, as shares of their lines."""
    empty = LineRules((), (), ())
    cleaner = Cleaner(rules=rules or empty, site=SiteBoilerplate())
    docs = [Document(id=r["id"], text=r["text"], source=r["source"]) for r in rows]
    page_clean = [cleaner.clean_page(d) for d in docs]
    cleaner.learn(page_clean)  # first pass
    counts: Counter[str] = Counter()
    for row, doc in zip(rows, page_clean):
        final = cleaner.clean_site(doc)  # second pass
        kept = Counter(ln.strip() for ln in final.full_text.splitlines() if ln.strip())
        chrome = set(row["chrome"])
        for i, line in enumerate(row["text"].splitlines()):
            key = "chrome" if i in chrome else "body"
            counts[key] += 1
            if kept[line.strip()] > 0:
                kept[line.strip()] -= 1
            else:
                counts[f"{key}_removed"] += 1
    return {
        "pages": len(rows),
        "chrome_lines": counts["chrome"],
        "body_lines": counts["body"],
        "removed_pct": 100.0 * counts["chrome_removed"] / max(1, counts["chrome"]),
        "lost_pct": 100.0 * counts["body_removed"] / max(1, counts["body"]),
    }


def snn_check(n: int, seed: int = 1) -> None:
    """Removals on real SaudiNewsNet articles (research-only data: read here, never copied into the repo).

    Learns site boilerplate over all 15k documents, then lists what line rules and site rules remove from a
    random sample of ``n`` documents, per rule, so a person can judge which removals are article text.
    """
    with gzip.open(SNN, "rt", encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh]
    cleaner = Cleaner(site=SiteBoilerplate())
    docs = [
        cleaner.clean_page(
            Document(id=r["id"], text=r.get("text") or "", title=r.get("title") or "", source=r.get("source"))
        )
        for r in rows
    ]
    cleaner.learn(docs)
    sample = random.Random(seed).sample(range(len(docs)), min(n, len(docs)))
    per_rule: Counter[str] = Counter()
    lines_total = 0
    for i in sample:
        original = Document(
            id=rows[i]["id"],
            text=rows[i].get("text") or "",
            title=rows[i].get("title") or "",
            source=rows[i].get("source"),
        )
        lines_total += sum(1 for ln in original.full_text.splitlines() if ln.strip())
        out = cleaner.clean_site(replace(docs[i]))
        for r in out.removed:
            rule = r.rule if not r.rule.startswith("site:") else "site:*"
            per_rule[rule] += 1
            print(f"{rows[i]['id']}\t{r.rule}\t{r.text[:110]}")
    print(f"# {len(sample)} documents, {lines_total} non-blank lines; removed per rule: {dict(per_rule)}")


def _keys_and_shingles(site: str, text: str) -> tuple[set[int], np.ndarray]:
    keys = normalize_lines(text.splitlines())
    shingles = shingle_hashes(token_hashes(" ".join(k for k in keys if k)), 3)
    return set(story_keys(site, keys).tolist()), shingles


def _jaccard(a: np.ndarray, b: np.ndarray) -> float:
    inter = np.intersect1d(a, b, assume_unique=True).size
    return inter / max(1, a.size + b.size - inter)


def _update(rng: random.Random, paras: list[str], extra: str, drop: bool) -> str:
    """An updated version of an article: a paragraph added, a figure changed, a sentence reworded (and, with
    ``drop``, one paragraph dropped)."""
    paras = list(paras)
    if drop:
        del paras[rng.randrange(1, len(paras))]
    paras.insert(rng.randint(1, len(paras)), extra)
    i = rng.randrange(len(paras))
    paras[i] = (
        re.sub(r"\d+", lambda m: str(int(m.group()) + 3), paras[i], count=1)
        if re.search(r"\d", paras[i])
        else paras[i] + " 12"
    )
    i = rng.randrange(len(paras))
    words = paras[i].split()
    cut = rng.randrange(max(1, len(words) - 6))
    paras[i] = " ".join([*words[:cut], "وأضاف", "المصدر", "أن", *words[cut + 4 :]])
    return "\n\n".join(paras)


def story_key_rates(pairs: int = 2000, seed: int = 3) -> None:
    """Share of pairs sharing a story key: versions of one story, and different stories of one site."""
    with gzip.open(SNN, "rt", encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh]
    by_source: dict[str, list[dict]] = {}
    for r in rows:
        if r.get("text"):
            by_source.setdefault(r["source"], []).append(r)
    rng = random.Random(seed)
    sources = sorted(by_source)
    results: dict[str, list[tuple[bool, float]]] = {
        "update": [],
        "update, paragraph dropped": [],
        "different stories (SNN)": [],
    }
    while len(results["update"]) < pairs:
        site = rng.choice(sources)
        a, b = rng.sample(by_source[site], 2)
        paras = [p.strip() for p in a["text"].split("\n") if p.strip()]
        extra = [p.strip() for p in b["text"].split("\n") if len(p.split()) > 15]
        keys_a, sh_a = _keys_and_shingles(site, "\n".join(paras))
        keys_b, sh_b = _keys_and_shingles(site, b["text"])
        results["different stories (SNN)"].append((bool(keys_a & keys_b), _jaccard(sh_a, sh_b)))
        if len(paras) < 3 or not extra:
            continue
        for name, drop in (("update", False), ("update, paragraph dropped", True)):
            keys_v, sh_v = _keys_and_shingles(site, _update(rng, paras, rng.choice(extra), drop))
            results[name].append((bool(keys_a & keys_v), _jaccard(sh_a, sh_v)))
    fixture: dict[str, list[tuple[set[int], np.ndarray]]] = {}
    for r in load():
        fixture.setdefault(r["source"], []).append(_keys_and_shingles(r["source"], r["text"]))
    results["different stories (fixture)"] = [
        (bool(ka & kb), _jaccard(sa, sb))
        for pages in fixture.values()
        for i, (ka, sa) in enumerate(pages)
        for kb, sb in pages[i + 1 :]
    ]
    bins = [(0.0, 0.3), (0.3, 0.5), (0.5, 0.6), (0.6, 0.7), (0.7, 0.8), (0.8, 0.9), (0.9, 1.01)]
    print(f"{'pairs':28} {'n':>6} {'jaccard':>8} {'share a key':>12}   then by jaccard: share a key (pairs)")
    print(" " * 60 + "".join(f"{f'{lo:.1f}-{min(hi, 1.0):.1f}':>15}" for lo, hi in bins))
    for name, got in results.items():
        cells = []
        for lo, hi in bins:
            inside = [shared for shared, j in got if lo <= j < hi]
            cells.append(f"{100.0 * sum(inside) / len(inside):6.1f}% ({len(inside):4d})" if inside else "")
        print(
            f"{name:28} {len(got):6d} {np.mean([j for _, j in got]):8.3f} "
            f"{100.0 * sum(s for s, _ in got) / len(got):11.2f}%   " + "".join(f"{c:>15}" for c in cells)
        )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--generate", action="store_true", help="rewrite the fixture first")
    ap.add_argument("--fixture", type=Path, default=FIXTURE)
    ap.add_argument("--snn", type=int, default=0, help="list removals on N sampled SaudiNewsNet documents")
    ap.add_argument("--story-keys", action="store_true", help="how often versions / different stories share a key")
    args = ap.parse_args(argv)
    if args.story_keys:
        story_key_rates()
        return 0
    if args.snn:
        snn_check(args.snn)
        return 0
    if args.generate:
        print(f"wrote {generate(args.fixture)} pages to {args.fixture}")
    rows = load(args.fixture)
    print(f"{'cleaner':22} {'pages':>6} {'chrome':>7} {'body':>6} {'removed%':>9} {'lost%':>7}")
    for name, rules in (("site rules only", None), ("line + site rules", LineRules.builtin())):
        s = score(rows, rules)
        print(
            f"{name:22} {s['pages']:6d} {s['chrome_lines']:7d} {s['body_lines']:6d} "
            f"{s['removed_pct']:9.2f} {s['lost_pct']:7.2f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
