"""The rewrite decision (dedup.evidence): a reworded press release below the shingle thresholds is linked; a
template sibling of it (another contract, other figures), text out of order and a rewrite with other titles are not."""

from __future__ import annotations

from dedup.document import Document
from dedup.evidence import RewriteOptions, rewrite_evidence, title_agreement, word_overlap
from dedup.fingerprint import Fingerprinter, content_words, jaccard_containment
from dedup.normalize import normalize
from dedup.pipeline import scan_documents
from dedup.settings import Settings
from dedup.templates import Analysed

RELEASE = " ".join(
    [
        "وقعت امانة العاصمة المقدسة عقود تنفيذ مشاريع سفلتة وإنارة الطرق في مخططات المنح بحي الشرائع والعوالي"
        " بقيمة 197 مليون ريال.",
        "وأوضح أمين العاصمة المقدسة الدكتور أسامة البار أن المشاريع تشمل سفلتة أكثر من 420 كيلومترا من الشوارع"
        " الداخلية وتركيب 3500 عمود إنارة.",
        "وأشار إلى أن مدة تنفيذ المشاريع تبلغ ثمانية عشر شهرا وأن الأمانة ستتابع أعمال المقاولين ميدانيا لضمان"
        " الجودة والالتزام بالمواعيد.",
        "وبين أن هذه المشاريع تأتي ضمن خطة الأمانة لتطوير البنية التحتية في الأحياء الجديدة وتسهيل حركة السكان"
        " والزوار في مكة المكرمة.",
    ]
)
# Another paper's version: the intro rewritten, quotes turned into reported speech, the close reworded.
REWRITE = " ".join(
    [
        "أبرمت أمانة العاصمة المقدسة عقودا بقيمة 197 مليون ريال لسفلتة وإنارة طرق مخططات المنح في الشرائع والعوالي.",
        "وقال أمين العاصمة المقدسة الدكتور أسامة البار إن المشاريع تشمل سفلتة أكثر من 420 كيلومترا من الشوارع"
        " الداخلية وتركيب 3500 عمود إنارة.",
        "وتبلغ مدة تنفيذ المشاريع ثمانية عشر شهرا على أن تتابع الأمانة عمل المقاولين في الميدان للتأكد من الجودة"
        " واحترام المواعيد.",
        "وتندرج المشاريع في خطة الأمانة لتطوير البنية التحتية في الأحياء الجديدة وتسهيل تنقل السكان والزوار في مكة"
        " المكرمة.",
    ]
)
# The same formula for another contract: other districts, other figures.
SIBLING = (REWRITE.replace("197", "143").replace("الشرائع والعوالي", "النوارية والعمرة").replace("420", "310")).replace(
    "3500", "2800"
)
TITLE = "أمانة العاصمة المقدسة توقع عقود سفلتة مخططات المنح بـ197 مليون ريال"
NO_SITE = Settings(site_boilerplate=False)


def _clusters(docs: list[Document], settings: Settings = NO_SITE) -> list[list[str]]:
    result = scan_documents(docs, settings)
    return [sorted(result.documents[m].id for m, _ in c.members) for c in result.clusters]


def test_the_rewrite_is_below_the_shingle_thresholds() -> None:
    fp = Fingerprinter()
    jac, con = jaccard_containment(fp.text_shingles(normalize(RELEASE)), fp.text_shingles(normalize(REWRITE)))
    assert jac < Settings().threshold and con < Settings().containment


def test_a_reworded_release_is_linked_as_a_rewrite_with_its_evidence() -> None:
    docs = [
        Document(id="a", text=RELEASE, title=TITLE),
        Document(id="b", text=REWRITE, title="197 مليون ريال لسفلتة وإنارة مخططات المنح بمكة"),
    ]
    result = scan_documents(docs, NO_SITE)
    assert [[result.documents[m].id for m, _ in c.members] for c in result.clusters] == [["a", "b"]]
    [link] = result.links
    assert link.evidence is not None and link.evidence.rewrite
    assert link.evidence.describe().startswith("rewrite: coverage 1.00, words 0.7")
    # Off: the pair is below the shingle thresholds, as before.
    assert _clusters(docs, Settings(site_boilerplate=False, rewrites=False)) == []


def test_a_template_sibling_of_the_release_stays_apart() -> None:
    docs = [
        Document(id="a", text=RELEASE, title=TITLE),
        Document(id="c", text=SIBLING, title="143 مليون ريال لسفلتة وإنارة مخططات المنح بمكة"),
    ]
    assert _clusters(docs) == []
    a, c = normalize(RELEASE), normalize(SIBLING)
    evidence = rewrite_evidence(
        0.45,
        content_words(a),
        content_words(c),
        "",
        "",
        (Analysed(a.split()), Analysed(c.split())),
        RewriteOptions(),
    )
    assert (evidence.rewrite, evidence.reason) == (False, "template")


def test_titles_that_disagree_keep_a_rewrite_off_the_order_route() -> None:
    docs = [
        Document(id="a", text=RELEASE, title=TITLE),
        Document(id="b", text=REWRITE, title="ضبط مخالفات في أسواق الخضار بجدة"),
    ]
    # Without the passage route the titles keep the pair apart; with it (the default) the rewrite's passages,
    # each reworded in place, link it under any headline that shares something with the other (see
    # test_evidence_passages.py).
    assert _clusters(docs, Settings(site_boilerplate=False, rewrite_passages=1.01)) == []
    assert _clusters(docs) == [["a", "b"]]
    docs[1] = Document(id="b", text=REWRITE, title="Photos of the day")
    assert _clusters(docs) == []


def test_word_overlap_and_title_agreement() -> None:
    story = content_words("the port strike entered its third day as unions and operators failed to agree")
    rewrite = content_words("unions and port operators failed again to agree on the third day of the strike")
    assert word_overlap(story, rewrite) > 0.7
    assert word_overlap(story, content_words("parliament approved budget")) == 0.0
    assert title_agreement("port strike enters third day", "") is None
    assert title_agreement("port strike enters third day", "third day of port strike") > title_agreement(
        "port strike enters third day", "parliament approves budget"
    )


def test_scan_explain_shows_the_evidence_of_each_link(tmp_path) -> None:
    import json

    from typer.testing import CliRunner

    from dedup.cli import app

    docs = tmp_path / "docs.jsonl"
    rows = [
        {"id": "a", "text": RELEASE, "title": TITLE},
        {"id": "b", "text": REWRITE, "title": "197 مليون ريال لسفلتة وإنارة مخططات المنح بمكة"},
    ]
    docs.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    args = ["scan", str(docs), "--explain", "--no-site-boilerplate", "--quiet"]
    result = CliRunner().invoke(app, [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    [link] = json.loads(result.output)["links"]
    assert (link["keep"], link["id"]) == ("a", "b")
    assert link["evidence"].startswith("rewrite: coverage 1.00, words 0.7") and "title 0.67" in link["evidence"]
    table = CliRunner().invoke(app, args)
    assert "a ~ b: jaccard 0.25 containment 0.42" in table.output
    # Without --explain, the JSON report is as before.
    assert "links" not in json.loads(CliRunner().invoke(app, [*args[:2], "--format", "json", "-q"]).output)


def test_a_date_the_other_text_tells_as_yesterday_is_no_new_fact() -> None:
    from dedup.evidence import _new_facts

    # The coalition statement gives its own date; the paper that reports it the next day writes "امس" and adds
    # figures of its own (a round-up around the statement).
    statement = Analysed(
        normalize("اعلنت قياده التحالف هدنه انسانيه تبدا يوم الاحد 10 شوال 1436ه الساعه 12 ليلا").split()
    )
    report = Analysed(
        normalize("اعلنت قياده التحالف امس هدنه انسانيه تبدا منتصف الليل الساعه 12 بعد معارك قتل فيها 40 مسلحا").split()
    )
    assert _new_facts(statement, report) == 0 and _new_facts(report, statement) == 1  # "40"
    # Without a relative day in the other text, the dates are facts it never states.
    undated = Analysed(normalize("اعلنت قياده التحالف هدنه انسانيه تبدا منتصف الليل الساعه 12").split())
    assert _new_facts(statement, undated) >= 1
