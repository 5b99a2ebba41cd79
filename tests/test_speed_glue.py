"""Per-document glue made cheaper (issue 15) gives what it replaced: documents built directly equal
``dataclasses.replace``, and the words read once in the site pass equal those the fingerprint reads again."""

from __future__ import annotations

import dataclasses

import numpy as np

from dedup.clean import Cleaner, _cleaned, site_observations
from dedup.document import Document, Removal
from dedup.fingerprint import content_word_hashes, words_of


def test_a_cleaned_document_is_the_replaced_one_with_every_field_set() -> None:
    doc = Document(
        id="a",
        text="نص الخبر",
        title="عنوان",
        url="https://example.com/a",
        source="example.com",
        date="2024-01-01",
        html="<p>نص الخبر</p>",
        origin="in.jsonl:3",
        path="in.jsonl",
        root="in.jsonl",
        meta={"lang": "ar"},
        removed=[Removal("x", "html:nav")],
    )
    removed = [*doc.removed, Removal("شارك", "pattern:share-bar")]
    assert _cleaned(doc, "T", "text", removed) == dataclasses.replace(doc, title="T", text="text", removed=removed)
    assert _cleaned(doc, "T", "text", removed, html=None) == dataclasses.replace(
        doc, title="T", text="text", removed=removed, html=None
    )


def test_words_kept_by_the_site_pass_are_those_of_the_page_text() -> None:
    cleaner = Cleaner()
    docs = [
        Document(id="1", title="الميناء", text="استمر إضراب الميناء لليوم الثالث.\nشارك", source="a.com"),
        Document(id="2", title="Port", text="The port strike entered its 3rd day as talks stalled.", source="b.org"),
    ]
    pages = [cleaner.clean_page_keyed(d) for d in docs]
    assert all(p.words_for(p.doc) is None for p in pages)  # nothing read yet
    site_observations(pages)
    for page in pages:
        tokens, lengths, letters = words_of(page.normalised_text())
        kept = page.words_for(page.doc)
        assert kept is not None
        assert np.array_equal(kept[0], tokens)
        assert np.array_equal(kept[1], content_word_hashes(tokens, lengths, letters))
        # Another document (site cleaning removed a line): read again.
        assert page.words_for(dataclasses.replace(page.doc)) is None


def test_site_masks_of_a_batch_are_those_of_each_page() -> None:
    from dedup.clean import SiteBoilerplate

    learner = SiteBoilerplate(min_docs=2)
    chrome = ["تابعونا على تويتر", "Subscribe to Example Daily", "جميع الحقوق محفوظة"]
    for k in range(5):  # five different stories of each site (story keys given: no two share one)
        lines = [f"خبر رقم {k} عن الاقتصاد والأسواق في المنطقة.", *chrome]
        learner.observe_hashes("a.com", learner.hashes("a.com", lines), lines, np.array([k + 1], dtype=np.uint64))
        lines = [f"Story {k} about the port strike and the talks.", chrome[1]]
        learner.observe_hashes("b.org", learner.hashes("b.org", lines), lines, np.array([k + 11], dtype=np.uint64))
    sites = ["a.com", "b.org", None, "c.net", "a.com", "b.org"]
    pages = [
        learner.hashes("a.com", ["خبر جديد.", *chrome]),
        learner.hashes("b.org", ["Subscribe to Example Daily", "New story."]),
        learner.hashes(None, ["Subscribe to Example Daily"]),
        learner.hashes("c.net", chrome),
        learner.hashes("a.com", []),
        learner.hashes("b.org", ["", "Subscribe to Example Daily"]),
    ]
    batch = learner.boilerplate_masks(sites, pages)
    single = [learner.boilerplate_mask(site, h) for site, h in zip(sites, pages)]
    assert [m.tolist() for m in batch] == [m.tolist() for m in single]
    assert batch[0].tolist() == [False, True, True, True] and batch[5].tolist() == [False, True]
