"""Shared test data: short, real-looking Arabic and English wire stories, their republished copies, and a
distinct article on the same event that must never be clustered with them.

The copies differ from their originals the way republications do: a reworded headline, another outlet's
dateline, one paragraph dropped, and (Arabic) أ/ا and ة/ه swaps, tatweel and Arabic-Indic digits.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path

import pytest

# -- Arabic: a Saudi relief plane lands in Aden ---------------------------------------------------------------

AR_TITLE = "وصول طائرة إغاثية سعودية إلى مطار عدن الدولي"
AR_PARAS = [
    "وصلت إلى مطار عدن الدولي اليوم الأحد طائرة إغاثية سعودية تحمل 35 طناً من المساعدات الطبية والغذائية، "
    "مقدمة من مركز الملك سلمان للإغاثة والأعمال الإنسانية، دعماً للقطاع الصحي في المحافظات اليمنية المحررة.",
    "وأوضح مدير مكتب المركز في عدن أن الشحنة تضم أدوية للأمراض المزمنة ومستلزمات جراحية وأجهزة لغسيل الكلى، "
    "سيجري توزيعها على المستشفيات الحكومية في عدن ولحج وأبين خلال الأيام المقبلة بالتنسيق مع وزارة الصحة.",
    "من جانبه، ثمّن وكيل وزارة الصحة اليمنية الدعم المتواصل الذي تقدمه المملكة، مشيراً إلى أن المستشفيات "
    "تعاني نقصاً حاداً في الأدوية منذ بداية العام، وأن هذه الشحنة ستخفف معاناة آلاف المرضى.",
    "وتأتي هذه الطائرة ضمن جسر جوي أطلقه المركز منذ مطلع الشهر الجاري، وصلت خلاله 12 طائرة إلى مطاري عدن "
    "وسيئون، إضافة إلى قوافل برية تنقل المساعدات إلى المناطق النائية في محافظتي شبوة وحضرموت.",
]
AR_TEXT = "\n\n".join(["عدن - سبأ:", *AR_PARAS])

# The republication: new headline, SPA dateline, third paragraph dropped, spelling habits of another desk.
AR_COPY_TITLE = "مركز الملك سلمان يسيّر طائرة مساعدات جديدة إلى عدن"
AR_COPY_PARAS = [
    "وصلت الى مطار عدن الدولي اليوم الاحد طائرة اغاثيه سعوديه تحمل ٣٥ طناً من المساعدات الطبيـــة والغذائيه، "
    "مقدمه من مركز الملك سلمان للاغاثه والاعمال الانسانيه، دعماً للقطاع الصحي في المحافظات اليمنيه المحرره.",
    "واوضح مدير مكتب المركز في عدن ان الشحنه تضم ادويه للامراض المزمنه ومستلزمات جراحيـة واجهزه لغسيل الكلى، "
    "سيجري توزيعها على المستشفيات الحكوميه في عدن ولحج وابين خلال الايام المقبله بالتنسيق مع وزاره الصحه.",
    "وتاتي هذه الطائره ضمن جسر جوي اطلقه المركز منذ مطلع الشهر الجاري، وصلت خلاله ١٢ طائره الى مطاري عدن "
    "وسيئون، اضافه الى قوافل بريه تنقل المساعدات الى المناطق النائيه في محافظتي شبوه وحضرموت.",
]
AR_COPY_TEXT = "\n\n".join(["عدن - واس:", *AR_COPY_PARAS])

# Same event, written independently: it must not cluster with the wire story.
AR_OTHER_TITLE = "مستشفيات عدن تتسلم أدوية جديدة"
AR_OTHER_TEXT = "\n\n".join(
    [
        "تسلّمت هيئة مستشفى الجمهورية التعليمي بعدن صباح اليوم كميات من الأدوية والمحاليل، قال مديرها إنها "
        "جاءت في وقتها بعد أسابيع من شح الإمدادات وتوقف عدد من أقسام الطوارئ عن استقبال الحالات الحرجة.",
        "وقال أطباء في المستشفى لمراسلنا إن أقسام الأطفال والكلى كانت الأكثر تضرراً، وإن المرضى اضطروا خلال "
        "الفترة الماضية إلى شراء الأدوية من الصيدليات الخاصة بأسعار تفوق قدرتهم في ظل تدهور العملة المحلية.",
        "ويأمل العاملون في القطاع الصحي أن تتحول هذه الشحنات إلى إمدادات منتظمة، مطالبين السلطات المحلية "
        "بصرف رواتبهم المتأخرة وتحسين ظروف العمل التي دفعت كثيراً من الكوادر إلى الهجرة.",
    ]
)

# -- English: a strike at Britain's ports -------------------------------------------------------------------

EN_TITLE = "UK dockworkers strike over pay, halting container traffic at Felixstowe"
EN_PARAS = [
    "Around 1,900 dockworkers at the port of Felixstowe, Britain's busiest container terminal, walked out on "
    "Sunday in the first of two eight-day strikes over pay, halting most container traffic through the port.",
    "The Unite union said its members had rejected a 7% pay offer plus a one-off payment of 500 pounds, arguing "
    "that it amounted to a real-terms pay cut with inflation running above 10 percent.",
    "Hutchison Ports, which owns Felixstowe, said it had made a fair offer and that the strike would create "
    "disruption for the whole supply chain, with several shipping lines diverting vessels to Rotterdam.",
    "Logistics groups warned that the stoppage would add to delays for retailers already stocking up for the "
    "busy Christmas season, and that backlogs could take weeks to clear once work resumed.",
]
EN_TEXT = "\n\n".join(["LONDON (Reuters) -", *EN_PARAS])

EN_COPY_TITLE = "Felixstowe port at a standstill as workers begin eight-day walkout"
EN_COPY_TEXT = "\n\n".join(
    [
        "LONDON (Reuters) -",
        EN_PARAS[0],
        EN_PARAS[1],
        EN_PARAS[3],
    ]
)

EN_OTHER_TITLE = "Felixstowe picket line: 'We can't pay our bills'"
EN_OTHER_TEXT = "\n\n".join(
    [
        "On a windswept roundabout outside the terminal gates, striking crane drivers huddled around a brazier and "
        "waved flags at passing lorries, most of which honked in support.",
        "Mark, a crane operator for nineteen years who asked that his surname not be used, said his energy bill had "
        "tripled and his rent had gone up twice since the spring. Nobody here wants to be standing in the cold, he said.",
        "Union organisers handed out tea and leaflets, and said they were ready to stay out until Christmas if the "
        "company did not return to the negotiating table with a better deal.",
    ]
)

# An unrelated short story, so that every corpus has at least one document that is in no cluster.
EN_UNRELATED_TITLE = "Parliament approves budget after overnight session"
EN_UNRELATED_TEXT = (
    "Lawmakers approved the annual budget early on Tuesday after a session that ran through the night, with the "
    "finance minister promising to cut the deficit by a third within two years while raising spending on schools."
)


def record(doc_id: str, title: str, text: str, **extra: object) -> dict[str, object]:
    return {"id": doc_id, "title": title, "text": text, **extra}


def corpus_records() -> list[dict[str, object]]:
    """Seven records: two duplicate pairs (Arabic, English) and three documents that belong to no cluster."""
    return [
        record("ar-spa", AR_TITLE, AR_TEXT, url="https://www.saba.ye/ar/news/1", date="2024-03-10"),
        record("en-reuters", EN_TITLE, EN_TEXT, url="https://www.reuters.com/world/uk/1", date="2024-08-21"),
        record("ar-other", AR_OTHER_TITLE, AR_OTHER_TEXT, url="https://adengad.net/news/7", date="2024-03-10"),
        record(
            "ar-copy",
            AR_COPY_TITLE,
            AR_COPY_TEXT,
            url="https://www.okaz.com.sa/news/2",
            date="2024-03-09",
            section="محليات",
        ),
        record("en-other", EN_OTHER_TITLE, EN_OTHER_TEXT, url="https://www.bbc.co.uk/news/3", date="2024-08-21"),
        record("en-copy", EN_COPY_TITLE, EN_COPY_TEXT, url="https://www.marinelink.com/news/4", date="2024-08-22"),
        record("en-budget", EN_UNRELATED_TITLE, EN_UNRELATED_TEXT, url="https://apnews.com/5", date="2024-08-20"),
    ]


def jsonl_text(records: list[dict[str, object]]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


def write_jsonl(path: Path, records: list[dict[str, object]]) -> Path:
    if path.name.endswith(".gz"):
        with gzip.open(path, "wt", encoding="utf-8") as f:
            f.write(jsonl_text(records))
    else:
        path.write_text(jsonl_text(records), encoding="utf-8")
    return path


def read_jsonl(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def write_txt(path: Path, title: str, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"{title}\n{text}\n", encoding="utf-8")
    return path


def tree_hashes(root: Path) -> dict[str, str]:
    """sha256 of every file under ``root`` (or of ``root`` itself), to prove inputs were not touched."""
    files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


@pytest.fixture
def corpus_jsonl(tmp_path: Path) -> Path:
    return write_jsonl(tmp_path / "news.jsonl", corpus_records())


@pytest.fixture
def txt_dir(tmp_path: Path) -> Path:
    """A scraped folder of .txt files: the Arabic wire story, its copy, and the independent article."""
    d = tmp_path / "scraped"
    write_txt(d / "saba" / "aden-plane.txt", AR_TITLE, AR_TEXT)
    write_txt(d / "okaz" / "aden-plane-copy.txt", AR_COPY_TITLE, AR_COPY_TEXT)
    write_txt(d / "adengad" / "hospital.txt", AR_OTHER_TITLE, AR_OTHER_TEXT)
    return d


# -- the SaudiNewsNet dev month, read from ../shared (research-only licence: never copied into the repository) ----

SNN_DOCS = Path(__file__).resolve().parents[2] / "shared" / "data" / "saudinewsnet-dev" / "docs.jsonl.gz"


def snn_records():
    """The dev month's records in file order; the calling test skips where ../shared is absent."""
    if not SNN_DOCS.exists():
        pytest.skip(f"{SNN_DOCS} not found (the SaudiNewsNet dev month lives in ../shared)")
    with gzip.open(SNN_DOCS, "rt", encoding="utf-8") as f:
        for line in f:
            yield json.loads(line)
