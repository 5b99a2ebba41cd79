"""Briefs under the containment floor (dedup.cluster.verify's short route): a release's lead sentence run alone by
another paper is linked to the release when its title agrees and its words run in the release's order; a brief of
the same formula about someone else, or under a headline about something else, is not."""

from __future__ import annotations

from dedup.document import Document
from dedup.fingerprint import Fingerprinter, jaccard_containment
from dedup.links import VerifyOptions
from dedup.normalize import normalize
from dedup.pipeline import scan_documents
from dedup.settings import Settings

RELEASE = " ".join(
    [
        "وافق وزير الثقافة والإعلام الدكتور عادل الطريفي على ترشيح مجلس إدارة مؤسسة اليمامة الصحفية الأستاذ"
        " سلطان بن محمد البازعي رئيسا لتحرير صحيفة الرياض خلفا للأستاذ تركي السديري.",
        "وشغل البازعي عددا من المناصب الإعلامية خلال مسيرته المهنية التي امتدت لأكثر من 25 عاما، كان آخرها منصب"
        " مدير عام المؤسسة ورئيس التحرير المكلف للصحيفة.",
        "كما يشغل البازعي حاليا عضوية مجلس إدارة الشركة الوطنية الموحدة للتوزيع وهيئة الصحفيين السعوديين وجمعية"
        " الثقافة والفنون في الرياض وعددا من اللجان الإعلامية في المنطقة.",
    ]
)
# Another paper's brief: the lead sentence alone, lightly reworded (a title dropped, "الزميل" added).
BRIEF = (
    "وافق وزير الثقافة والإعلام عادل الطريفي على ترشيح مجلس إدارة مؤسسة اليمامة الصحفية للزميل سلطان البازعي"
    " رئيسا لتحرير صحيفة الرياض خلفا لتركي السديري."
)
TITLE = "سلطان البازعي رئيسا لتحرير الرياض"
BRIEF_TITLE = "البازعي رئيسا لتحرير صحيفة «الرياض»"
# The same formula, another paper and another editor.
OTHER = (
    BRIEF.replace("اليمامة", "الجزيرة")
    .replace("سلطان البازعي", "خالد المالك")
    .replace("الرياض", "الجزيرة")
    .replace("تركي السديري", "عبدالرحمن الراشد")
)
NO_SITE = Settings(site_boilerplate=False)


def _clusters(docs: list[Document]) -> list[list[str]]:
    result = scan_documents(docs, NO_SITE)
    return [sorted(result.documents[m].id for m, _ in c.members) for c in result.clusters]


def test_the_brief_is_under_the_containment_floor_and_contained() -> None:
    fp = Fingerprinter()
    brief, release = fp.text_shingles(normalize(BRIEF)), fp.text_shingles(normalize(RELEASE))
    options = VerifyOptions()
    jac, con = jaccard_containment(brief, release)
    assert options.min_short_shingles <= brief.size < options.min_containment_shingles
    assert jac < options.threshold and con >= options.containment


def test_a_release_lead_run_alone_joins_the_release() -> None:
    docs = [Document(id="release", text=RELEASE, title=TITLE), Document(id="brief", text=BRIEF, title=BRIEF_TITLE)]
    assert _clusters(docs) == [["brief", "release"]]


def test_a_brief_about_another_editor_stays_apart() -> None:
    docs = [
        Document(id="release", text=RELEASE, title=TITLE),
        Document(id="other", text=OTHER, title="خالد المالك رئيسا لتحرير الجزيرة"),
    ]
    assert _clusters(docs) == []


def test_a_brief_under_an_unrelated_headline_stays_apart() -> None:
    docs = [
        Document(id="release", text=RELEASE, title=TITLE),
        Document(id="brief", text=BRIEF, title="مجلس الوزراء يقر ميزانية الجامعات الناشئة"),
    ]
    assert _clusters(docs) == []
