"""Line rules and learned site boilerplate on already-extracted text (Arabic and English)."""

from pathlib import Path

import pytest

from dedup.clean import Cleaner
from dedup.clean.lines import LineRules, RulesError
from dedup.clean.site import SiteBoilerplate
from dedup.document import Document
from dedup.io import Reader

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
    text = "\n".join([
        "قال وزير الخارجية إن المحادثات كانت مثمرة وتناولت ملفات الأمن والاقتصاد.",
        "اقرأ أيضاً",
        "الشيباني يلتقي نظيره التركي في أنقرة",
        "أسعار الذهب ترتفع في الأسواق المحلية",
        "وأضاف الوزير أن الجانبين اتفقا على عقد جولة جديدة من المباحثات الشهر المقبل في دمشق.",
    ])
    kept, removed = LineRules.builtin().strip(text)
    assert [r.rule for r in removed] == ["pattern:read-also"] * 3
    assert kept.splitlines()[-1].startswith("وأضاف الوزير")


def test_english_chrome_lines() -> None:
    text = "\n".join([
        "Dockworkers at the port of Felixstowe walked out on Monday over pay.",
        "Share this article",
        "Facebook Twitter WhatsApp",
        "Read more:",
        "Strike talks collapse as unions reject offer",
        "© 2025 Example Media. All rights reserved.",
        "Leave a comment",
    ])
    kept, removed = LineRules.builtin().strip(text)
    assert kept == "Dockworkers at the port of Felixstowe walked out on Monday over pay."
    assert {r.rule for r in removed} == {
        "pattern:share-bar", "pattern:read-also", "pattern:copyright", "pattern:comment-widget",
    }


def test_a_paragraph_that_mentions_the_source_is_not_a_signoff() -> None:
    paragraph = ("وذكر المصدر أن المحادثات بين الجانبين تناولت سبل تعزيز التعاون الأمني ومكافحة الإرهاب في المنطقة "
                 "وتبادل المعلومات الاستخبارية بشكل منتظم بين الأجهزة المختصة في البلدين خلال الفترة المقبلة.")
    kept, removed = LineRules.builtin().strip(f"سطر أول من الخبر.\n{paragraph}")
    assert removed == [] and paragraph in kept


def test_user_rules_extend_override_and_disable(tmp_path: Path) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text(
        'disable = ["comment-widget"]\n'
        '[[line]]\nname = "site-promo"\npattern = "حمّل تطبيق الوطن"\nmax_words = 10\n',
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


def test_site_boilerplate_is_learned_per_site_not_across_sites() -> None:
    learner = SiteBoilerplate(min_docs=3)
    stories = [f"خبر رقم {i} عن الطقس في الرياض وارتفاع درجات الحرارة." for i in range(4)]
    for story in stories:
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
        Document(id=f"p{i}", source="sham.example", title=f"عنوان الخبر {i}",
                 text=f"فقرة أولى مختلفة رقم {i} في هذا الخبر.\nشبكة شام الإخبارية - كل الأخبار لحظة بلحظة")
        for i in range(3)
    ]
    cleaner = Cleaner()
    cleaner.learn(cleaner.clean_page(d) for d in docs)
    cleaned = cleaner.clean(docs[0])
    assert cleaned.text == "فقرة أولى مختلفة رقم 0 في هذا الخبر."
    assert cleaned.removed[-1].rule == "site:sham.example"
