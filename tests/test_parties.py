"""Who a protocol item is about (dedup.parties): one formula of talks or cables about two different people is a
template sibling pair, never merged; two papers' versions of one item about the same person stay copies."""

from __future__ import annotations

from dedup.document import Document
from dedup.normalize import normalize
from dedup.parties import party
from dedup.pipeline import scan_documents
from dedup.settings import Settings
from dedup.templates import TEMPLATE, explain

ATTENDING = (
    "حضر جلسة المباحثات صاحب السمو الملكي الأمير محمد بن نايف بن عبدالعزيز ولي العهد نائب رئيس مجلس الوزراء وزير"
    " الداخلية، وصاحب السمو الملكي الأمير محمد بن سلمان بن عبدالعزيز ولي ولي العهد النائب الثاني لرئيس مجلس"
    " الوزراء وزير الدفاع، ووزير الخارجية الأستاذ عادل الجبير، ووزير الدولة عضو مجلس الوزراء الدكتور مساعد العيبان."
)
TALKS = (
    "عقد خادم الحرمين الشريفين الملك سلمان بن عبدالعزيز آل سعود في قصره بالرياض اليوم جلسة مباحثات رسمية مع {}."
    " وجرى خلال الجلسة بحث العلاقات الثنائية وأوجه التعاون بين البلدين الشقيقين، بالإضافة إلى استعراض تطورات"
    " الأحداث على الساحتين الإقليمية والدولية. " + ATTENDING
).format
JORDAN = TALKS("جلالة الملك عبدالله الثاني بن الحسين ملك المملكة الأردنية الهاشمية")
TUNISIA = TALKS("فخامة الرئيس الباجي قائد السبسي رئيس الجمهورية التونسية")
# Another paper's version of the Jordan item: the King's name shortened, "today" dropped, the close reworded.
JORDAN_COPY = (
    "عقد خادم الحرمين الشريفين الملك سلمان بن عبدالعزيز في قصره بالرياض جلسة مباحثات رسمية مع العاهل الأردني"
    " الملك عبدالله الثاني. وجرى خلال الجلسة بحث العلاقات الثنائية وأوجه التعاون بين البلدين الشقيقين، إضافة إلى"
    " استعراض تطورات الأحداث في المنطقة والعالم. " + ATTENDING
)
NO_SITE = Settings(site_boilerplate=False)


def _tokens(text: str) -> list[str]:
    return normalize(text).split()


def test_the_party_is_read_after_the_formula() -> None:
    assert party(_tokens(TUNISIA)) == (frozenset({"الباجي", "قايد", "السبسي", "التونسيه"}),)
    cable = "بعث خادم الحرمين الشريفين برقية تهنئة للسلطان قابوس بن سعيد سلطان عمان بمناسبة يوم النهضة"
    assert party(_tokens(cable)) == (frozenset({"قابوس", "سعيد", "عمان"}),)
    assert party(_tokens("افتتح أمير المنطقة المعرض مع عدد من المسؤولين في الرياض")) == ()


def test_one_formula_about_two_rulers_is_a_template_pair() -> None:
    found = explain(_tokens(JORDAN), _tokens(TUNISIA))
    assert found.kind == TEMPLATE
    assert [s.kind for s in found.substitutions][-1] == "party"
    docs = [Document(id="jordan", text=JORDAN), Document(id="tunisia", text=TUNISIA)]
    assert scan_documents(docs, NO_SITE).clusters == []


def test_two_versions_of_one_item_stay_copies() -> None:
    assert explain(_tokens(JORDAN), _tokens(JORDAN_COPY)).kind == "duplicate"
    result = scan_documents([Document(id="a", text=JORDAN), Document(id="b", text=JORDAN_COPY)], NO_SITE)
    assert [sorted(result.documents[m].id for m, _ in c.members) for c in result.clusters] == [["a", "b"]]
