"""The passage route of the rewrite decision (dedup.evidence): a reworded release with its paragraphs moved and
another headline is linked when its passages sit together in the other text; the same words scattered are not,
and a formula item about another city and officer is a template sibling, not a rewrite."""

from __future__ import annotations

import random
import re

from test_evidence import RELEASE, REWRITE, TITLE

from dedup.evidence import Evidence, RewriteOptions, passage_alignment, rewrite_evidence, title_agreement
from dedup.fingerprint import Fingerprinter, content_words, jaccard_containment
from dedup.normalize import normalize
from dedup.settings import Settings
from dedup.templates import Analysed, explain

# Another paper's version of the release: its paragraphs in another order, under a headline of its own.
_PARAGRAPHS = re.split(r"(?<=\.) ", REWRITE)
MOVED = " ".join([_PARAGRAPHS[2], _PARAGRAPHS[0], _PARAGRAPHS[3], _PARAGRAPHS[1]])
MOVED_TITLE = "مكة: 420 كيلومترا من الشوارع الجديدة خلال ثمانية عشر شهرا"

JEDDAH = (
    "أوضح الناطق الإعلامي بشرطة منطقة مكة المكرمة أنه إلحاقا للتصريح حيال مقطع الفيديو الذي تم تداوله عبر وسائل"
    " التواصل الاجتماعي يظهر فيه شبان يقومون بتصرفات غير لائقة تجاه فتاتين بمحافظة جدة فقد شكل مدير شرطة محافظة جدة"
    " اللواء مسعود العدواني فريق عمل من الجهات الأمنية لتحليل وجمع المعلومات عن المقطع وأسفرت نتائجه عن ضبط المتهمين"
    " بالتورط في الحادثة وجرى إيقافهم بعد سماع أقوالهم وإحالتهم لجهة الاختصاص."
)
# The spokesman's formula a few days later: another city, another police chief.
TAIF = JEDDAH.replace("فتاتين بمحافظة جدة", "فتاة بمحافظة الطائف").replace(
    "محافظة جدة اللواء مسعود العدواني", "محافظة الطائف العميد عبدالرحمن الثمالي"
)


def _evidence(x: str, y: str, title_x: str = "", title_y: str = "", **options: float) -> Evidence:
    a, b = normalize(x), normalize(y)
    return rewrite_evidence(
        0.3,
        content_words(a),
        content_words(b),
        normalize(title_x),
        normalize(title_y),
        (Analysed(a.split()), Analysed(b.split())),
        RewriteOptions(**options),  # type: ignore[arg-type]
    )


def test_the_moved_rewrite_fails_the_title_and_order_tests_but_not_the_passages() -> None:
    fp = Fingerprinter()
    jac, con = jaccard_containment(fp.text_shingles(normalize(RELEASE)), fp.text_shingles(normalize(MOVED)))
    assert jac < Settings().threshold and Settings().rewrite_containment <= con < Settings().containment
    evidence = _evidence(RELEASE, MOVED, TITLE, MOVED_TITLE)
    assert evidence.rewrite
    assert evidence.title is not None and evidence.title < Settings().rewrite_title
    assert evidence.ordered is not None and evidence.ordered < Settings().rewrite_ordered
    assert evidence.local is not None and evidence.local >= Settings().rewrite_passages
    assert "passages 0.8" in evidence.describe()
    # Without the passage route (no passage alignment is enough), the same pair is kept apart on its title.
    assert (_evidence(RELEASE, MOVED, TITLE, MOVED_TITLE, local=1.01).reason) == "title"


def test_the_same_words_scattered_are_no_rewrite() -> None:
    words = normalize(RELEASE).split()
    random.Random(7).shuffle(words)
    evidence = _evidence(RELEASE, " ".join(words))
    assert evidence.words == 1.0 and evidence.coverage == 1.0  # the bag of words cannot tell
    assert not evidence.rewrite and evidence.local is not None and evidence.local < Settings().rewrite_passages


def test_the_passage_route_barely_reads_titles() -> None:
    # Token-set agreement of two unrelated Arabic headlines is 0.35-0.40 (shared letters and particles): on the
    # passage route a title only stops a pair whose headlines share nothing at all.
    assert 0.3 < title_agreement(normalize(TITLE), normalize("ضبط مخالفات في أسواق الخضار بجدة")) < 0.45
    assert _evidence(RELEASE, MOVED, TITLE, "ضبط مخالفات في أسواق الخضار بجدة").rewrite
    evidence = _evidence(RELEASE, MOVED, TITLE, "Photos of the day")
    assert (evidence.rewrite, evidence.reason) == (False, "title")


def test_a_police_formula_for_another_city_and_chief_is_a_template_sibling() -> None:
    relation = explain(normalize(JEDDAH).split(), normalize(TAIF).split())
    assert relation.kind == "template"
    assert [s.kind for s in relation.substitutions] == ["name", "name"]
    assert not _evidence(JEDDAH, TAIF).rewrite


def test_passage_alignment_finds_moved_paragraphs_and_not_scattered_words() -> None:
    a, b = content_words(normalize(RELEASE)), content_words(normalize(MOVED))
    assert passage_alignment(a, b) >= 0.8
    assert passage_alignment(a, b) == passage_alignment(b, a)  # measured on the text with fewer words
    assert passage_alignment(a, content_words("")) == 0.0
    other = content_words(normalize("ضبط مخالفات في أسواق الخضار بجدة وإغلاق ثلاثة محلات"))
    assert passage_alignment(a, other) == 0.0
