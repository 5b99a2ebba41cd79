"""Site boilerplate learned across a corpus: how much chrome goes, how much article text is lost.

Usage (from the repo root)::

    python bench/site_boilerplate.py                      # score tests/data/site-boilerplate/pages.jsonl.gz
    python bench/site_boilerplate.py --generate           # (re)write that fixture, deterministically
    python bench/site_boilerplate.py --snn 200            # eyeball removals on real SaudiNewsNet text

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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dedup.clean import Cleaner, LineRules  # noqa: E402
from dedup.clean.site import SiteBoilerplate  # noqa: E402
from dedup.document import Document  # noqa: E402

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
        "top": [("الرئيسية | سياسة | اقتصاد | رياضة | ثقافة | منوعات", 1.0), ("الرئيسية / أخبار محلية", 0.6),
                ("الأحد 14 ديسمبر 2025", 0.3)],
        "middle": [("حمّل تطبيق أخبار اليوم الآن على أندرويد وآيفون", 0.5)],
        "bottom": [("تابعونا على تيليجرام وواتساب للحصول على آخر الأخبار", 0.9),
                   ("جميع الحقوق محفوظة © أخبار اليوم 2025", 1.0), ("من نحن | اتصل بنا | سياسة الخصوصية", 0.8)],
        "read_also": "اقرأ أيضاً: {}",
    },
    "alsahel-news.example": {
        "top": [("أخبار الساحل", 1.0), ("عاجل | محليات | عربي ودولي | اقتصاد | رأي", 0.9)],
        "middle": [("إعلان", 0.7), ("شاهد أيضاً: {}", 0.0)],
        "bottom": [("المصدر: الساحل نيوز", 0.8), ("الوسوم: سوريا، الحكومة، اقتصاد", 0.4),
                   ("شارك الخبر", 1.0), ("© 2025 الساحل نيوز - يمنع النسخ دون إذن", 1.0)],
        "read_also": "شاهد أيضاً: {}",
    },
    "wadi-times.example": {
        "top": [("الصفحة الرئيسية » الأخبار", 1.0)],
        "middle": [("للاشتراك في نشرتنا اليومية أرسل كلمة اشترك إلى الرقم 5050", 0.4),
                   ("تابع آخر التطورات لحظة بلحظة عبر قناتنا", 0.5)],
        "bottom": [("تحرير: قسم الأخبار - وادي تايمز", 0.7), ("أضف تعليقك", 0.6),
                   ("وادي تايمز صحيفة إلكترونية مستقلة تصدر من عمّان", 1.0)],
        "read_also": "اقرأ كذلك: {}",
    },
    "gulf-daily.example": {
        "top": [("Home | World | Business | Sport | Opinion", 1.0), ("Gulf Daily", 0.8)],
        "middle": [("Download the Gulf Daily app for breaking news alerts", 0.5), ("ADVERTISEMENT", 0.6)],
        "bottom": [("Follow Gulf Daily on X and Instagram", 0.8), ("© 2025 Gulf Daily. All rights reserved.", 1.0),
                   ("Terms of use | Privacy | Contact", 0.7)],
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
        titles = [" ".join(rng.sample(s.split(), k=min(7, len(s.split())))).rstrip(".،") for s in
                  rng.sample(sentences, READ_ALSO_TITLES)]
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
            rows.append({"id": f"{site.split('.')[0]}-{n:03d}", "source": site, "text": "\n".join(lines),
                         "chrome": chrome_idx})
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
    docs = [cleaner.clean_page(Document(id=r["id"], text=r.get("text") or "", title=r.get("title") or "",
                                        source=r.get("source"))) for r in rows]
    cleaner.learn(docs)
    sample = random.Random(seed).sample(range(len(docs)), min(n, len(docs)))
    per_rule: Counter[str] = Counter()
    lines_total = 0
    for i in sample:
        original = Document(id=rows[i]["id"], text=rows[i].get("text") or "", title=rows[i].get("title") or "",
                            source=rows[i].get("source"))
        lines_total += sum(1 for ln in original.full_text.splitlines() if ln.strip())
        out = cleaner.clean_site(replace(docs[i]))
        for r in out.removed:
            rule = r.rule if not r.rule.startswith("site:") else "site:*"
            per_rule[rule] += 1
            print(f"{rows[i]['id']}\t{r.rule}\t{r.text[:110]}")
    print(f"# {len(sample)} documents, {lines_total} non-blank lines; removed per rule: {dict(per_rule)}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--generate", action="store_true", help="rewrite the fixture first")
    ap.add_argument("--fixture", type=Path, default=FIXTURE)
    ap.add_argument("--snn", type=int, default=0, help="list removals on N sampled SaudiNewsNet documents")
    args = ap.parse_args(argv)
    if args.snn:
        snn_check(args.snn)
        return 0
    if args.generate:
        print(f"wrote {generate(args.fixture)} pages to {args.fixture}")
    rows = load(args.fixture)
    print(f"{'cleaner':22} {'pages':>6} {'chrome':>7} {'body':>6} {'removed%':>9} {'lost%':>7}")
    for name, rules in (("site rules only", None), ("line + site rules", LineRules.builtin())):
        s = score(rows, rules)
        print(f"{name:22} {s['pages']:6d} {s['chrome_lines']:7d} {s['body_lines']:6d} "
              f"{s['removed_pct']:9.2f} {s['lost_pct']:7.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
