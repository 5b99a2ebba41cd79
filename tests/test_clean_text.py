"""Line rules and learned site boilerplate on already-extracted text (Arabic and English)."""

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup.clean import Cleaner
from dedup.clean.lines import LineRules, RulesError
from dedup.clean.site import SiteBoilerplate, line_hashes
from dedup.document import Document
from dedup.io import Reader
from dedup.normalize import normalize

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SEED_001 = FIXTURES / "seeds" / "001_78dea732c8894b97.txt"
SEED_004 = FIXTURES / "seeds" / "004_6149f531486c190e.txt"
AD_LINES = [
    "بع، اشترِ، اكتشف… منصتك لتحويل الإعلان إلى فرصة",
    "دليلك المحلي",
    "اكتشف ما حولك",
    "السوق المحلي أونلاين",
    "مجاني 100%",
    "انشر مجاناً",
    "بدون عمولة أو سمسرة",
]


def _read(path: Path) -> Document:
    return next(Reader().read([str(path)]))


def test_seed_001_loses_the_seven_ad_lines_and_keeps_headline_and_every_paragraph() -> None:
    raw = SEED_001.read_text(encoding="utf-8")
    doc = Cleaner().clean(_read(SEED_001))
    removed_ads = [r.text for r in doc.removed if r.rule == "pattern:ad-run"]
    assert removed_ads == AD_LINES
    assert doc.title == "وزيرا الخارجية السوري والأمريكي يؤكدان خلال اتصال هاتفي ضرورة تعزيز جهود مكافحة الإرهاب"
    # Every paragraph and subheading between the headline and the sign-off survives, in order.
    body = [ln.strip() for ln in raw.splitlines() if ln.strip()]
    start = body.index(doc.title) + 1
    signoff = [ln for ln in body if ln.startswith("للمزيد من المعلومات")]
    assert len(signoff) == 1
    expected = body[start : body.index(signoff[0])]
    assert doc.text.splitlines() == expected
    assert any(r.rule == "pattern:source-signoff" for r in doc.removed)


def test_seed_004_loses_its_comment_widget_label_only() -> None:
    doc = Cleaner().clean(_read(SEED_004))
    assert [(r.text, r.rule) for r in doc.removed] == [("تعليق", "pattern:comment-widget")]
    assert doc.text.splitlines()[-1].endswith("اللازم.")


def test_read_also_block_goes_with_its_link_titles_but_not_the_next_paragraph() -> None:
    text = "\n".join(
        [
            "قال وزير الخارجية إن المحادثات كانت مثمرة وتناولت ملفات الأمن والاقتصاد.",
            "اقرأ أيضاً",
            "الشيباني يلتقي نظيره التركي في أنقرة",
            "أسعار الذهب ترتفع في الأسواق المحلية",
            "وأضاف الوزير أن الجانبين اتفقا على عقد جولة جديدة من المباحثات الشهر المقبل في دمشق.",
        ]
    )
    kept, removed = LineRules.builtin().strip(text)
    assert [r.rule for r in removed] == ["pattern:read-also"] * 3
    assert kept.splitlines()[-1].startswith("وأضاف الوزير")


def test_english_chrome_lines() -> None:
    text = "\n".join(
        [
            "Dockworkers at the port of Felixstowe walked out on Monday over pay.",
            "Share this article",
            "Facebook Twitter WhatsApp",
            "Read more:",
            "Strike talks collapse as unions reject offer",
            "© 2025 Example Media. All rights reserved.",
            "Leave a comment",
        ]
    )
    kept, removed = LineRules.builtin().strip(text)
    assert kept == "Dockworkers at the port of Felixstowe walked out on Monday over pay."
    assert {r.rule for r in removed} == {
        "pattern:share-bar",
        "pattern:read-also",
        "pattern:copyright",
        "pattern:comment-widget",
    }


def test_a_paragraph_that_mentions_the_source_is_not_a_signoff() -> None:
    paragraph = (
        "وذكر المصدر أن المحادثات بين الجانبين تناولت سبل تعزيز التعاون الأمني ومكافحة الإرهاب في المنطقة "
        "وتبادل المعلومات الاستخبارية بشكل منتظم بين الأجهزة المختصة في البلدين خلال الفترة المقبلة."
    )
    kept, removed = LineRules.builtin().strip(f"سطر أول من الخبر.\n{paragraph}")
    assert removed == [] and paragraph in kept


def test_user_rules_extend_override_and_disable(tmp_path: Path) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text(
        'disable = ["comment-widget"]\n[[line]]\nname = "site-promo"\npattern = "حمّل تطبيق الوطن"\nmax_words = 10\n',
        encoding="utf-8",
    )
    loaded = LineRules.load(rules)
    kept, removed = loaded.strip("نص الخبر هنا.\nحمل تطبيق الوطن الآن\nتعليق")  # noqa: B005 - LineRules.strip
    assert [r.rule for r in removed] == ["pattern:site-promo"]
    assert kept.splitlines() == ["نص الخبر هنا.", "تعليق"]


def test_bad_rules_file_names_the_rule(tmp_path: Path) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text('[[line]]\nname = "broken"\npattern = "(unclosed"\n', encoding="utf-8")
    with pytest.raises(RulesError, match="broken"):
        LineRules.load(rules)


# Four different stories of one site (site boilerplate is counted once per story, so they must differ).
STORIES = [
    "توقعت الأرصاد الجوية ارتفاع درجات الحرارة في الرياض إلى ثمانٍ وأربعين درجة مئوية خلال الأيام المقبلة.",
    "أعلنت وزارة التعليم بدء التسجيل في المدارس الحكومية للعام الدراسي الجديد اعتباراً من الأحد.",
    "افتتح أمير المنطقة الشرقية معرض الكتاب الدولي بمشاركة أكثر من مئتي دار نشر عربية وأجنبية.",
    "قررت إدارة نادي الهلال التعاقد مع مدرب برتغالي جديد بعد سلسلة من النتائج المخيبة في الدوري.",
]


def test_site_boilerplate_is_learned_per_site_not_across_sites() -> None:
    learner = SiteBoilerplate(min_docs=3)
    for story in STORIES:
        learner.observe("alwatan.example", f"{story}\nتابعوا الوطن على تيليجرام للأخبار العاجلة")
    # A wire sentence carried by three different sites is article text, not boilerplate.
    wire = "وقالت وكالة الأنباء إن الاجتماع سيعقد الأسبوع المقبل."
    for site in ("a.example", "b.example", "c.example"):
        learner.observe(site, wire)
    text, removed = learner.strip("alwatan.example", "خبر جديد.\nتابعوا الوطن على تيليجرام للأخبار العاجلة")
    assert text == "خبر جديد." and removed[0].rule == "site:alwatan.example"
    assert learner.strip("a.example", wire)[1] == []
    assert [x.line for x in learner.learned()] == ["تابعوا الوطن على تيليجرام للأخبار العاجلة"]


def test_cleaner_learns_a_sites_repeated_lines_across_the_corpus() -> None:
    docs = [
        Document(
            id=f"p{i}",
            source="sham.example",
            title=f"عنوان الخبر {i}",
            text=f"{story}\nشبكة شام الإخبارية - كل الأخبار لحظة بلحظة",
        )
        for i, story in enumerate(STORIES[:3])
    ]
    cleaner = Cleaner()
    cleaner.learn(cleaner.clean_page(d) for d in docs)
    cleaned = cleaner.clean(docs[0])
    assert cleaned.text == STORIES[0]
    assert cleaned.removed[-1].rule == "site:sham.example"


_LINE = st.text(alphabet="ابة ىإأ آ\u064e\u0640 ab.,«»:\t0١", max_size=30)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ابة ab", max_size=15), st.lists(_LINE, max_size=8), st.booleans())
def test_keyed_cleaning_gives_the_same_documents_and_normalised_text(
    title: str, lines: list[str], repeat: bool
) -> None:
    # The scan cleans through Page keys (each line normalised once) instead of clean_site + normalize: the
    # documents and the normalised text must be exactly those of the plain path, site boilerplate included.
    docs = [
        Document(
            id=f"d{i}",
            source="example.com",
            title=title,
            text="\n".join([*lines, "تابعونا على تويتر" if repeat else f"سطر {i}"]),
        )
        for i in range(4)
    ]
    plain, keyed = Cleaner(), Cleaner()
    pages = [plain.clean_page(d) for d in docs]
    plain.learn(pages)
    keyed_pages = [keyed.clean_page_keyed(d) for d in docs]
    assert [p.doc for p in keyed_pages] == pages
    keyed.site = SiteBoilerplate()
    keyed.site.observe_batch([p.site_observation() for p in keyed_pages])
    for page, keyed_page in zip(pages, keyed_pages):
        doc, norm = keyed.clean_site_keyed(keyed_page)
        assert doc == plain.clean_site(page)
        assert norm == normalize(doc.full_text)


def test_site_sketch_counts_documents_not_repeats_within_one() -> None:
    sketch = SiteBoilerplate(min_docs=2)
    lines = ["Share this", "Share this", "A story"]
    ours = line_hashes("example.com", [normalize(x) for x in lines])
    theirs = line_hashes("other.org", [normalize(x) for x in lines])
    sketch.observe_batch([("example.com", ours, lines)])
    assert sketch.counts(ours).tolist() == [1, 1, 1]  # a line twice on one page is one document
    assert not sketch.boilerplate_mask("example.com", ours).any()
    sketch.observe_batch([("example.com", ours, lines), ("other.org", theirs, lines)])
    assert sketch.counts(ours).tolist() == [2, 2, 2] and sketch.counts(theirs).tolist() == [1, 1, 1]
    assert sketch.boilerplate_mask("example.com", ours).all()
    assert not sketch.boilerplate_mask("other.org", theirs).any()
    assert sorted((x.site, x.line) for x in sketch.learned()) == [
        ("example.com", "A story"),
        ("example.com", "Share this"),
    ]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(st.integers(min_value=1, max_value=2**64 - 1), max_size=12), min_size=1, max_size=6))
def test_site_sketch_counts_every_document_in_a_shared_cell(pages: list[list[int]]) -> None:
    # A narrow sketch makes distinct lines share counters: each counter must still go up once per document
    # and line that lands on it (what a one-by-one count gives), never once per batch.
    sketch = SiteBoilerplate(min_docs=2, width=7)
    batch = [("example.com", np.array(h, dtype=np.uint64), None) for h in pages]
    sketch.observe_batch(batch)
    expected = np.zeros_like(sketch._counts)
    for _, hashes, _ in batch:
        distinct = np.unique(hashes[hashes != 0])
        if distinct.size:
            cells = sketch._cells(distinct)
            for row in range(cells.shape[0]):
                for cell in cells[row]:
                    expected[row, cell] += 1
    assert (sketch._counts == expected).all()
