"""The spool's columns (dedup.pipeline.spool) give back the pages packed, and fingerprinting from them gives what
fingerprinting the pages gives, whether site cleaning leaves a page whole or not."""

from __future__ import annotations

import pickle

import numpy as np

from dedup.clean import Cleaner, Page, SiteBoilerplate, site_observations
from dedup.document import Document, Removal
from dedup.fingerprint import Fingerprinter
from dedup.pipeline.spool import PageColumns, pack, unpack, unpack_pages
from dedup.pipeline.workers import fingerprint
from dedup.settings import Settings

SIGN_OFF = "سبق - الرياض"  # no line rule takes it: only site learning can
STORIES = [
    ("الميناء", "استمر إضراب عمال الميناء لليوم الثالث على التوالي.\nوقالت النقابة إن المفاوضات متوقفة."),
    ("الأمطار", "هطلت أمطار غزيرة على مدينة جدة صباح اليوم.\nوأغلقت الطرق الرئيسية لساعات."),
    ("Port strike", "The port strike entered its third day as talks stalled.\nShare this article"),
    ("", "افتتح أمير المنطقة المعرض الدولي للكتاب بحضور عدد من المثقفين.\nشارك"),
    ("وزارة الصحة", "وزارة الصحة\nأعلنت وزارة الصحة تسجيل حالات جديدة في المنطقة الشرقية."),
]


def _pages(cleaner: Cleaner) -> list[Page]:
    docs = []
    for i, (title, text) in enumerate(STORIES * 2):
        source = "sabq.org" if i % 2 else "example.com"
        docs.append(
            Document(
                id=f"d{i}",
                title=title,
                text=f"{text}\n{SIGN_OFF}" if source == "sabq.org" else text,
                url=f"https://{source}/{i}",
                source=source,
                date="2024-03-13",
                origin=f"in.jsonl:{i + 1}",
                path="in.jsonl",
                root=".",
                meta={"_encoding": "utf-8", "lang": "ar"},
                removed=[Removal("إعلان", "html:ad")] if i == 3 else [],
            )
        )
    pages = [cleaner.clean_page_keyed(d) for d in docs]
    site_observations(pages)
    return pages


def _same_page(a: Page, b: Page) -> None:
    assert a.doc == b.doc
    assert a.keys == b.keys
    for name in ("hashes", "shingles", "tokens", "content"):
        x, y = getattr(a, name), getattr(b, name)
        assert (x is None and y is None) or (x.dtype == y.dtype and np.array_equal(x, y)), name


def test_packed_pages_come_back_whole() -> None:
    pages = _pages(Cleaner())
    assert any(p.doc.removed for p in pages)  # line rules removed the share bars: Removal objects travel too
    back = unpack(pack(pages))
    assert isinstance(back, PageColumns) and len(back) == len(pages)
    for a, b in zip(pages, back.pages()):
        _same_page(a, b)
        assert b.doc.title == a.doc.title and b.doc.meta == {"_encoding": "utf-8", "lang": "ar"}
        # As dedup.clean._joined puts them together: the title's key left out when the text starts with it.
        assert back.normalised(pages.index(a)) == a.normalised_text().encode()
        assert back.text(pages.index(a)) == a.doc.text  # one text alone, as site learning names a line


def test_pages_the_columns_cannot_hold_are_pickled() -> None:
    cleaner = Cleaner()
    pages = [cleaner.clean_page_keyed(Document(id="a", text="خبر عن الاقتصاد.", source="x.com"))]
    assert pages[0].shingles is None  # site_observations never ran: no word arrays to put in the columns
    data = pack(pages)
    assert pickle.loads(data)[0].doc.id == "a"  # a plain pickle of the list
    _same_page(unpack_pages(data)[0], pages[0])


def test_a_lone_surrogate_survives_the_spool() -> None:
    pages = _pages(Cleaner())
    pages[0].doc.text += "\nكلمة \ud83d"  # as a JSON escape of half a pair reads
    (back,) = unpack_pages(pack(pages[:1]))
    assert back.doc.text == pages[0].doc.text


def test_fingerprints_from_the_columns_are_those_of_the_pages() -> None:
    settings = Settings()
    fingerprinter = Fingerprinter(num_perm=settings.num_perm, ngram=settings.ngram, seed=settings.seed)
    for learned in (False, True):
        cleaner = Cleaner()
        pages = _pages(cleaner)
        if learned:  # the sign-off becomes sabq.org's boilerplate: those pages lose a line in the second pass
            cleaner.site = SiteBoilerplate(min_docs=2)
            cleaner.site.observe_batch(site_observations(pages))
            assert not cleaner.site.untouched(
                [p.doc.source for p in pages],
                np.concatenate([p.hashes for p in pages]),
                np.array([p.hashes.size for p in pages]),
            ).all()
        want = fingerprint(pages, cleaner, fingerprinter, settings)
        got = fingerprint(unpack(pack(pages)), cleaner, fingerprinter, settings)  # type: ignore[arg-type]
        assert got.infos == want.infos
        assert np.array_equal(got.signatures, want.signatures)
        assert np.array_equal(got.shingles, want.shingles) and np.array_equal(got.sizes, want.sizes)
        assert got.texts == want.texts and np.array_equal(got.text_sizes, want.text_sizes)
        assert np.array_equal(got.words, want.words)
        assert np.array_equal(got.window_signatures, want.window_signatures)
        if learned:
            assert SIGN_OFF.split()[0] not in got.texts.decode()


def test_untouched_pages_are_those_whose_masks_keep_every_text_line() -> None:
    cleaner = Cleaner()
    pages = _pages(cleaner)
    site = SiteBoilerplate(min_docs=2)
    site.observe_batch(site_observations(pages))
    sites, hashes = [p.doc.source for p in pages], [p.hashes for p in pages]
    masks = site.boilerplate_masks(sites, hashes)
    flat, sizes = np.concatenate(hashes), np.array([h.size for h in hashes])
    assert site.untouched(sites, flat, sizes).tolist() == [not m[1:].any() for m in masks]
    assert [bool(m[1:].any()) for m in masks].count(True) == 5  # every sabq.org page


def test_normalised_text_from_the_columns_when_some_keys_are_empty() -> None:
    # A title or line of punctuation alone has an empty key: the join from the key block leaves it out.
    cleaner = Cleaner()
    stories = [
        ("«»", "هطلت أمطار غزيرة على مدينة جدة صباح اليوم.\n•••\nوأغلقت الطرق الرئيسية لساعات."),
        ("Oil prices rise", "— — —\nOil prices rose on Monday, traders said.\n***"),
        ("", "***"),
        ("عاجل", "عاجل"),
        ("Markets close higher", "Stocks closed higher on Tuesday."),
        ("إضراب الميناء", "استمر إضراب عمال الميناء لليوم الثالث.\n* * *\nوقالت النقابة إن المفاوضات متوقفة."),
    ]
    pages = [cleaner.clean_page_keyed(Document(id=f"e{i}", title=t, text=x)) for i, (t, x) in enumerate(stories)]
    site_observations(pages)
    assert any("" in p.keys[1:] for p in pages)  # the case the fast join must not take
    back = unpack(pack(pages))
    assert isinstance(back, PageColumns)
    for k, page in enumerate(pages):
        assert back.normalised(k) == page.normalised_text().encode()
