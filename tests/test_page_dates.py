"""A page's own dates (publication line, last update, dateline) are no facts of the story (issue #17, class 3).

Four outlets republish one wire story, each page with its own publication line: read one page per outlet (as from a
WARC with one host per outlet) site learning cannot strip those lines, and the template test must not read them as
changed facts. The story is seed 000 of the fixtures (``fixtures/seeds``).
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from dedup.cluster import DUPLICATE, TEMPLATE
from dedup.datelines import page_dates
from dedup.document import Document
from dedup.facts import token_facts
from dedup.normalize import normalize
from dedup.numbers import read_expression
from dedup.pipeline import scan_documents
from dedup.templates import explain, relation

SEED = next((Path(__file__).resolve().parent.parent / "fixtures" / "seeds").glob("000_*.txt"))
TITLE, *BODY = SEED.read_text(encoding="utf-8").strip().splitlines()

# Each outlet's page: its publication line (above or below the story), its dateline, its byline.
PAGES = {
    "alwatan-news.sy": ("نشر في 14 ديسمبر 2025 - 10:30 ص", "دمشق - الوطن نيوز:", ""),
    "sham-times.net": ("آخر تحديث: الأحد 14 ديسمبر 2025 - 11:45 ص", "(د ب أ) -", "بقلم: محرر الشؤون السياسية"),
    "levant24.com": ("", "عمّان - ليفانت 24:", "تاريخ النشر: 15/12/2025 09:05 م"),
    "halab-today.net": ("الإثنين 15 ديسمبر 2025 | 08:20", "دمشق 14 ديسمبر (سانا) -", ""),
}


def page(host: str, body: list[str] | None = None) -> Document:
    head, dateline, foot = PAGES[host]
    lines = [head, f"{dateline} {(body or BODY)[0]}", *(body or BODY)[1:], foot]
    return Document(id=host, title=TITLE, text="\n".join(x for x in lines if x), source=host)


def words(doc: Document) -> list[str]:
    return normalize(doc.full_text).split()


def test_publication_lines_are_found() -> None:
    for text, span in [
        ("نشر في 14 ديسمبر 2025 - 10:30 ص أعلنت الوزارة", (0, 8)),
        ("Published 14 December 2025, 10:30 GMT The ministry said", (0, 7)),
        ("آخر تحديث: الأحد 15 ديسمبر 2025 09:12 أعلنت", (0, 8)),
        ("14/12/2025 10:30 ص أعلنت الوزارة", (0, 6)),
        ("الرياض 14 ديسمبر (واس) أعلنت", (1, 3)),
        ("Updated: Dec 15, 2025 8:05 am The ministry said", (0, 7)),
    ]:
        tokens = normalize(text).split()
        readings, i = [], 0
        while i < len(tokens):
            found = read_expression(tokens, i)
            readings += [found] if found else []
            i = found.stop if found else i + 1
        assert page_dates(tokens, readings)[:1] == [span], text


def test_a_date_of_the_story_stays_a_fact() -> None:
    # No cue, no time beside it, not at the edge of the text: the day the story is about.
    story = " ".join(BODY)
    tokens = normalize(f"{story} وأعلنت الوزارة أن الجلسة ستعقد في 14 ديسمبر 2025 الساعة 10:30 صباحا {story}").split()
    assert any(f is not None and f.kind == "date" for f in token_facts(tokens))


@pytest.mark.parametrize(("a", "b"), list(itertools.combinations(PAGES, 2)))
def test_copies_with_their_own_publication_lines_are_duplicates(a: str, b: str) -> None:
    found = explain(words(page(a)), words(page(b)))
    assert found.kind == DUPLICATE, found.substitutions


def test_four_outlets_pages_of_one_story_cluster_together() -> None:
    result = scan_documents([page(host) for host in PAGES])
    assert [sorted(result.documents[m].id for m, _ in c.members) for c in result.clusters] == [sorted(PAGES)]
    assert result.template_links == []


def test_a_changed_fact_in_the_story_is_still_a_sibling() -> None:
    # The publication lines are set aside, not the story: another figure in the body still makes a sibling.
    three, four = ([*BODY[:2], BODY[2].replace("جنديين", n), *BODY[3:]] for n in ("3 جنود", "4 جنود"))
    assert three != BODY
    assert relation(words(page("alwatan-news.sy", three)), words(page("sham-times.net", four))) == TEMPLATE
