"""Tests for dedup.clean.html by kind of page, round 7: link-dense blocks inside the article container, a
sentence that cites its sources in links kept, menus and teasers dropped."""

from __future__ import annotations

from dedup.clean.html import extract_html

GUIDE = [
    "Online courses make some forms of cheating easier, and instructors often respond with stricter "
    "proctoring, but clear expectations set at the start of the term do more to prevent it.",
    "Explain in the syllabus what collaboration is allowed on each assignment, and repeat it before every "
    "exam, so that students know where the line is before they reach it.",
    "Assessments that ask students to apply ideas to their own projects are harder to outsource, and they "
    "also tell the instructor more about what each student has learned.",
]
CITE = (
    "Learn more in Strategies and Tools for Academic Integrity in Online Environments and A Positive "
    "Approach to Academic Integrity."
)
CITE_HTML = (
    'Learn more in <a href="/integrity/online">Strategies and Tools for Academic Integrity in Online '
    'Environments</a> and <a href="/integrity/positive">A Positive Approach to Academic Integrity</a>.'
)
ARABIC = [
    "قالت وزارة التعليم إن الاختبارات الإلكترونية ستعتمد هذا العام على مشاريع يعدها الطلاب بأنفسهم، بدلا من "
    "الأسئلة القصيرة التي يسهل تبادل إجاباتها.",
    "وأضافت الوزارة في بيان أن المعلمين سيتلقون تدريبا على تصميم هذه المشاريع قبل بداية الفصل الدراسي الثاني، "
    "وأن التقييم سيشمل عرضا شفهيا قصيرا.",
]
CITE_AR_HTML = (
    'التفاصيل في <a href="/guide">دليل التقويم الإلكتروني للمرحلة الثانوية الصادر عن الوزارة</a>'
    ' و<a href="/faq">قائمة الأسئلة الشائعة حول الاختبارات عن بعد</a>.'
)
CITE_AR = "التفاصيل في دليل التقويم الإلكتروني للمرحلة الثانوية الصادر عن الوزارة وقائمة الأسئلة الشائعة حول الاختبارات عن بعد."


def _page(body: str, lang: str = "en") -> str:
    return (
        f'<html lang="{lang}"><head><title>Guide</title></head><body><nav><a href="/">Home</a> '
        f'<a href="/teaching">Teaching</a></nav><div class="post">{body}</div>'
        '<footer><a href="/privacy">Privacy</a></footer></body></html>'
    )


def test_a_sentence_citing_its_sources_in_links_is_kept_between_paragraphs() -> None:
    html = _page(f"<p>{GUIDE[0]}</p><p>{GUIDE[1]}</p><p>{CITE_HTML}</p><p>{GUIDE[2]}</p>")
    assert extract_html(html).text.splitlines() == [GUIDE[0], GUIDE[1], CITE, GUIDE[2]]


def test_an_arabic_sentence_citing_a_guide_in_links_is_kept() -> None:
    html = _page(f"<p>{ARABIC[0]}</p><p>{CITE_AR_HTML}</p><p>{ARABIC[1]}</p>", "ar")
    assert extract_html(html).text.splitlines() == [ARABIC[0], CITE_AR, ARABIC[1]]


def test_link_lists_and_labelled_teasers_in_the_container_are_still_dropped() -> None:
    # The same citing sentence inside a list of links (a menu of guides) is a menu item; a labelled link
    # ("PUEDES VER: <title>", a "see also" of a Spanish news site) and a one-link call to action between
    # paragraphs are teasers.
    menu = "".join(
        f'<li><a href="/g{k}">{t}</a></li>'
        for k, t in enumerate(["Course design", "Assessment", "Academic integrity", "Accessibility"])
    )
    html = _page(
        f"<p>{GUIDE[0]}</p><ul>{menu}<li>{CITE_HTML}</li></ul><p>{GUIDE[1]}</p>"
        '<p>PUEDES VER: <a href="/exams">¿Cómo preparar un examen en línea que mida lo que los estudiantes saben '
        "hacer en su proyecto?</a></p>"
        f'<p>{GUIDE[2]}</p><p><a href="/contact">Contact our teaching centre and book a consultation today.</a></p>'
        f"<p>{GUIDE[0][:60]} again, in short.</p>"
    )
    lines = extract_html(html).text.splitlines()
    assert lines[:3] == GUIDE and CITE not in lines
    assert not any("PUEDES VER" in line or "Contact our" in line for line in lines)
