"""A text that ends with another item ("من جهة ثانية", "كما بعث"): the shorter item is contained in it, and never
its keeper, even when the first story is written with the same protocol formula (dedup.cluster._second_story)."""

from __future__ import annotations

import numpy as np

from dedup.cluster import covers, verify
from dedup.document import Document
from dedup.fingerprint import Fingerprinter, content_words
from dedup.links import VerifyOptions
from dedup.normalize import normalize
from dedup.pipeline import scan_documents
from dedup.settings import Settings

OMAN = " ".join(
    [
        "بعث خادم الحرمين الشريفين الملك سلمان بن عبدالعزيز اليوم ببرقية تهنئة للسلطان قابوس بن سعيد سلطان عمان"
        " بمناسبة ذكرى يوم النهضة لبلاده.",
        "وأعرب الملك باسمه واسم شعب وحكومة المملكة العربية السعودية عن أصدق التهاني وأطيب التمنيات بالصحة والسعادة"
        " لسلطان عمان، ولحكومة وشعب سلطنة عمان الشقيق اطراد التقدم والازدهار.",
        "كما بعث الأمير محمد بن نايف بن عبدالعزيز ولي العهد نائب رئيس مجلس الوزراء وزير الداخلية ببرقية تهنئة"
        " للسلطان قابوس بن سعيد سلطان عمان بمناسبة ذكرى يوم النهضة لبلاده.",
        "وعبر ولي العهد عن أبلغ التهاني وأطيب التمنيات بموفور الصحة والسعادة لسلطان عمان، ولحكومة وشعب سلطنة عمان"
        " الشقيق المزيد من التقدم والازدهار.",
    ]
)
OMAN_TITLE = "خادم الحرمين وولي عهده يبعثان ببرقيتي تهنئة لسلطان عمان بمناسبة يوم النهضة"
# Another paper's item on the Egypt cable, written with the same formula, ending with the Oman item.
EGYPT = " ".join(
    [
        "أشاد خادم الحرمين الشريفين الملك سلمان بن عبدالعزيز آل سعود بتميز العلاقات الأخوية التي تربط بين المملكة"
        " العربية السعودية وجمهورية مصر العربية والشعبين الشقيقين، مؤكدا سعي الجميع لتعزيزها وتنميتها في جميع"
        " المجالات.",
        "جاء ذلك في برقية تهنئة لفخامة الرئيس عبدالفتاح السيسي رئيس جمهورية مصر العربية بمناسبة ذكرى اليوم الوطني"
        " لبلاده.",
        "وأعرب الملك باسمه واسم شعب وحكومة المملكة العربية السعودية عن أصدق التهاني وأطيب التمنيات بالصحة والسعادة"
        " لفخامته، ولحكومة وشعب جمهورية مصر العربية الشقيق اطراد التقدم والازدهار.",
        "كما بعث الأمير محمد بن نايف بن عبدالعزيز ولي العهد نائب رئيس مجلس الوزراء وزير الداخلية برقية مماثلة"
        " للرئيس عبدالفتاح السيسي عبر فيها عن أبلغ التهاني وأطيب التمنيات بموفور الصحة والسعادة لفخامته، ولحكومة"
        " وشعب جمهورية مصر العربية الشقيق المزيد من التقدم والازدهار.",
        "من جهة ثانية، بعث خادم الحرمين الشريفين وولي العهد برقيتي تهنئة للسلطان قابوس بن سعيد سلطان عمان بمناسبة"
        " ذكرى يوم النهضة لبلاده، أعربا فيهما باسميهما واسم شعب وحكومة المملكة العربية السعودية عن أصدق التهاني"
        " وأطيب التمنيات بالصحة والسعادة لجلالته، ولحكومة وشعب سلطنة عمان الشقيق اطراد التقدم والازدهار.",
    ]
)
EGYPT_TITLE = "خادم الحرمين يشيد بتميز العلاقات الأخوية مع مصر"
NO_SITE = Settings(site_boilerplate=False)


def _link(first: tuple[str, str], second: tuple[str, str]):
    fp = Fingerprinter()
    texts = [normalize(f"{title}\n{text}") for text, title in (first, second)]
    shingles = [fp.text_shingles(t) for t in texts]
    words = [content_words(t) for t in texts]
    (link,) = verify(np.array([[0, 1]]), shingles, VerifyOptions(), words=words)
    return link


def test_the_short_item_is_contained_in_the_text_that_ends_with_it() -> None:
    link = _link((OMAN, OMAN_TITLE), (EGYPT, EGYPT_TITLE))
    assert link.a_in_b >= 0.75  # the Egypt text says all of the Oman item
    assert covers(link, keeper=1) and not covers(link, keeper=0)


def test_the_container_is_kept_whatever_keep_says() -> None:
    docs = [
        Document(id="oman", text=OMAN, title=OMAN_TITLE, date="2015-07-22"),
        Document(id="egypt", text=EGYPT, title=EGYPT_TITLE, date="2015-07-23"),
    ]
    result = scan_documents(docs, Settings(site_boilerplate=False, keep="earliest"))
    (cluster,) = result.clusters
    assert result.documents[cluster.keep].id == "egypt"
    assert [result.documents[m].id for m in cluster.contained] == ["oman"]


def test_a_longer_copy_that_opens_with_the_same_lead_is_still_a_copy() -> None:
    # The Oman item with a closing paragraph of the agency's usual background: same lead, so the short version
    # covers it where its words reach (no second story), as before.
    longer = OMAN + " " + OMAN.split(". ", 1)[1]
    link = _link((OMAN, OMAN_TITLE), (longer, OMAN_TITLE))
    assert covers(link, keeper=0) and covers(link, keeper=1)
