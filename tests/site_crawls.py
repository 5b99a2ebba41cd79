"""One-site crawls that hold a story several times, for tests/test_clean_site.py.

A story is a headline and paragraphs; its versions are what a site publishes as it updates the article under new
URLs: a paragraph added, the headline reworded, and a figure changed (``figures=True``) or a phrase reworded. (A
changed figure makes two versions template siblings for :mod:`dedup.relation`: same formula, different facts.) Pages are written as a folder of HTML files (the
site's folder; pages built from fixtures/sites/halab-today), as one WARC of that host, or as JSONL records with a
``source``. The other pages of a site are articles of tests/data/site-boilerplate (different stories).
"""

from __future__ import annotations

import gzip
import html
import json
import re
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

from conftest import AR_PARAS, AR_TITLE, EN_OTHER_TEXT, EN_OTHER_TITLE, EN_PARAS, EN_TITLE, EN_UNRELATED_TEXT

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "fixtures" / "sites" / "halab-today" / "east-aleppo-power-restored.html"
OTHER_PAGES = ROOT / "tests" / "data" / "site-boilerplate" / "pages.jsonl.gz"


@dataclass(frozen=True)
class Story:
    """Paragraphs of a story and what its updates change: ``figures`` and ``rewordings`` (old, new)
    substitutions, ``added`` paragraphs, ``titles`` (the first is the original headline)."""

    titles: list[str]
    paragraphs: list[str]
    figures: list[tuple[str, str]]
    rewordings: list[tuple[str, str]]
    added: list[str]


@dataclass(frozen=True)
class Page:
    id: str
    title: str
    paragraphs: list[str]  # article lines: none may be lost
    story: str  # pages of one story must form one cluster ("" for a story with one page)
    chrome: list[str] = field(default_factory=list)  # JSONL only: the page's chrome lines, in order


AR_RELIEF = Story(
    titles=[
        AR_TITLE,
        "طائرة سعودية تنقل 35 طناً من المساعدات الطبية إلى عدن",
        "مركز الملك سلمان: وصول الطائرة الإغاثية الثالثة عشرة إلى عدن",
    ],
    paragraphs=AR_PARAS,
    figures=[("35 طناً", "38 طناً"), ("12 طائرة", "13 طائرة")],
    rewordings=[
        ("وأوضح مدير مكتب المركز", "وقال مدير مكتب المركز"),
        ("خلال الأيام المقبلة", "في الأيام القليلة المقبلة"),
        ("الدعم المتواصل الذي تقدمه المملكة", "الدعم الذي تواصل المملكة تقديمه"),
    ],
    added=[
        "وقال مسؤول في المركز إن الطائرة التالية ستصل الأسبوع المقبل محملة بأجهزة تنفس صناعي وحاضنات للأطفال "
        "حديثي الولادة، بطلب من مستشفيات عدن التي تعاني نقصاً في هذه الأجهزة.",
        "وأكدت السلطات الصحية في عدن أن الأدوية الواردة ستوزع وفق قوائم الاحتياج التي رفعتها المستشفيات، وأن لجنة "
        "مشتركة ستتابع وصولها إلى المرضى.",
    ],
)

AR_WATER = Story(
    titles=[
        "إعادة تشغيل محطة مياه سليمان الحلبي بعد توقف دام أسبوعين",
        "المياه تعود إلى شرق حلب بعد إصلاح مضخات محطة سليمان الحلبي",
        "حلب: استئناف الضخ من محطة سليمان الحلبي ووصول المياه إلى الشعار والصاخور",
    ],
    paragraphs=[
        "أعادت المؤسسة العامة لمياه الشرب في حلب صباح الثلاثاء تشغيل محطة سليمان الحلبي، بعد توقف دام أسبوعين بسبب "
        "أعطال في المضخات الرئيسية وانقطاع التيار الكهربائي عن المحطة.",
        "وقال مدير المؤسسة إن ورش الصيانة استبدلت ثلاث مضخات قديمة بأخرى جديدة بتمويل من منظمة دولية، وإن ضخ المياه "
        "سيعود تدريجياً إلى الأحياء الشرقية خلال 48 ساعة.",
        "وكان سكان أحياء الشعار والصاخور وطريق الباب قد اعتمدوا خلال فترة التوقف على الصهاريج الخاصة، التي ارتفع سعر "
        "الخزان الواحد منها إلى نحو 40 ألف ليرة.",
        "وأشار المدير إلى أن المؤسسة وضعت برنامجاً لتوزيع المياه بالتناوب بين الأحياء، ريثما تكتمل أعمال إصلاح خط الجر "
        "الرئيسي القادم من محطة الخفسة.",
        "وطالب أهالي الأحياء المتضررة بحلول دائمة تضمن استمرار الضخ، بدلاً من الإصلاحات المؤقتة التي تتكرر كل بضعة "
        "أشهر دون أن تعالج أصل المشكلة.",
    ],
    figures=[("48 ساعة", "72 ساعة"), ("40 ألف", "45 ألف")],
    rewordings=[
        ("وطالب أهالي الأحياء المتضررة", "ودعا سكان الأحياء المتضررة إلى إيجاد"),
        ("ريثما تكتمل", "إلى حين اكتمال"),
        ("بسبب أعطال في المضخات", "إثر أعطال أصابت المضخات"),
    ],
    added=[
        "وفي تحديث لاحق، أعلنت المؤسسة أن المياه وصلت بالفعل إلى أحياء الشعار والصاخور، فيما يتوقع أن تصل إلى بقية "
        "الأحياء مساء الأربعاء.",
        "كما أعلنت المؤسسة عن رقم هاتف للطوارئ لتلقي شكاوى المواطنين حول انقطاع المياه أو تسرباتها في الشبكة.",
    ],
)

AR_AIRPORT = Story(
    titles=[
        "مطار حلب الدولي يستأنف رحلاته بعد توقف دام شهرين",
        "أولى الطائرات تهبط في مطار حلب بعد انتهاء الصيانة",
        "عودة الرحلات إلى مطار حلب الدولي بعد شهرين من الإغلاق",
        "مطار حلب يفتح أبوابه مجدداً أمام المسافرين",
    ],
    paragraphs=[
        "استأنف مطار حلب الدولي صباح الأحد استقبال الرحلات الجوية، بعد توقف دام شهرين لإجراء أعمال صيانة في المدرج "
        "الرئيسي وتحديث أنظمة الملاحة والإضاءة.",
        "وهبطت في المطار أولى الطائرات القادمة من دمشق وعلى متنها 146 راكباً، فيما يتوقع أن تصل رحلات من عمّان "
        "والشارقة خلال الأسبوع الجاري.",
        "وقال مدير المطار إن أعمال الصيانة شملت إعادة تأهيل صالة المسافرين القادمين وتركيب أجهزة تفتيش حديثة، بكلفة "
        "قاربت ملياري ليرة.",
        "وأضاف أن المطار سيعمل في المرحلة الأولى بطاقة ست رحلات يومياً، على أن ترتفع تدريجياً مع عودة شركات الطيران "
        "العربية إلى تسيير رحلاتها.",
        "ورحب تجار في المدينة بإعادة افتتاح المطار، معتبرين أنه سيخفف كلفة السفر إلى الخارج ويسهل حركة رجال الأعمال "
        "والمغتربين القادمين لزيارة ذويهم.",
        "وكان المطار قد تعرض لأضرار متكررة خلال السنوات الماضية، ما أدى إلى إغلاقه فترات طويلة وتحويل الرحلات إلى مطار "
        "دمشق الدولي.",
    ],
    figures=[("146 راكباً", "149 راكباً"), ("149 راكباً", "151 راكباً"), ("ست رحلات", "ثماني رحلات")],
    rewordings=[
        ("ورحب تجار في المدينة", "ورحب تجار حلب"),
        ("خلال الأسبوع الجاري", "في غضون أيام"),
        ("بكلفة قاربت", "بكلفة بلغت نحو"),
    ],
    added=[
        "وفي تحديث لاحق، أعلنت المديرية العامة للطيران المدني أن شركة أجنحة الشام ستسير رحلتين أسبوعياً بين حلب "
        "ودبي اعتباراً من الشهر المقبل."
    ],
)

EN_STRIKE = Story(
    titles=[
        EN_TITLE,
        "Felixstowe strike: 1,900 dockers walk out in pay dispute",
        "Britain's biggest container port shut as pay talks stall",
    ],
    paragraphs=EN_PARAS,
    figures=[("1,900", "2,000"), ("a 7% pay offer", "an 8% pay offer")],
    rewordings=[
        ("walked out on", "went on strike on"),
        ("Logistics groups warned that", "Logistics groups said"),
        ("had made a fair offer", "had put forward a fair offer"),
    ],
    added=[
        "Felixstowe handles nearly half of the container freight entering Britain, and industry groups said the "
        "walkout would cost the economy millions of pounds a day.",
        "Talks between the union and the port operator are due to resume on Wednesday under the auspices of the "
        "conciliation service Acas.",
    ],
)

EN_HEATHROW = Story(
    titles=[
        "Heathrow passenger numbers hit record as holiday demand returns",
        "Heathrow sees busiest month ever with 7.4 million travellers",
        "Record August for Heathrow as transatlantic traffic surges",
    ],
    paragraphs=[
        "Heathrow handled 7.4 million passengers in August, its busiest month on record, as demand for summer holidays "
        "and long-haul travel to North America and Asia continued to recover.",
        "The airport said transatlantic routes were the strongest performers, with traffic to the United States up 9 "
        "percent on the same month last year.",
        "Chief executive Thomas Woldbye said the airport had worked closely with airlines and ground handlers to keep "
        "queues short despite the record numbers.",
        "Heathrow also raised its forecast for the full year to 83 million passengers, although it warned that a "
        "shortage of air traffic controllers in Europe could cause delays.",
        "The airport is owned by a group of investors including Qatar Investment Authority and Saudi Arabia's Public "
        "Investment Fund, which bought a stake earlier this year.",
    ],
    figures=[("7.4 million passengers", "7.5 million passengers"), ("up 9 percent", "up 11 percent")],
    rewordings=[
        ("worked closely with", "worked hand in hand with"),
        ("although it warned", "but warned"),
        ("continued to recover", "kept recovering"),
    ],
    added=[
        "Separately, the airport confirmed it would submit its plans for a third runway to the government by the "
        "end of the summer.",
        "Airlines have criticised the charges Heathrow levies on each departing passenger, saying they are among the "
        "highest of any hub airport in the world.",
    ],
)

EN_OTHERS = [
    (EN_OTHER_TITLE, EN_OTHER_TEXT.split("\n\n")),
    ("Parliament approves budget after overnight session", [EN_UNRELATED_TEXT]),
    (
        "Storm floods homes in north Wales as rivers burst their banks",
        [
            "Dozens of homes were evacuated in north Wales on Saturday after two days of heavy rain sent the rivers Conwy "
            "and Clwyd over their banks, flooding streets in Llanrwst and St Asaph.",
            "Natural Resources Wales issued six severe flood warnings, meaning a danger to life, and rail services between "
            "Llandudno Junction and Blaenau Ffestiniog were suspended.",
            "Residents said the water rose faster than during the floods of 2021, and volunteers used boats to reach older "
            "people trapped on upper floors.",
        ],
    ),
]


def _substitute(text: str, figures: list[tuple[str, str]]) -> str:
    for old, new in figures:
        text = text.replace(old, new)
    return text


def four_versions(story: Story, figures: bool = True) -> list[tuple[str, list[str]]]:
    """The original, then a paragraph added, then a figure changed (or a phrase reworded) under a new headline,
    then another paragraph added, another figure changed (phrase reworded) and the headline reworded again."""
    paras, added, edits = story.paragraphs, story.added, story.figures if figures else story.rewordings
    return [
        (story.titles[0], list(paras)),
        (story.titles[0], [*paras, added[0]]),
        (story.titles[1], [_substitute(p, edits[:1]) for p in [*paras, added[0]]]),
        (story.titles[2], [_substitute(p, edits[:2]) for p in [*paras, added[0], added[1]]]),
    ]


def twenty_versions(story: Story, figures: bool = True) -> list[tuple[str, list[str]]]:
    """Twenty updates of one story: the headline rotates, a figure changes (a phrase is reworded) every few
    versions, a paragraph is added half-way."""
    out = []
    for k in range(20):
        edits = (story.figures if figures else story.rewordings)[: k // 5]
        paras = [*story.paragraphs, *story.added[:1]] if k >= 10 else list(story.paragraphs)
        out.append((story.titles[k % len(story.titles)], [_substitute(p, edits) for p in paras]))
    return out


def other_pages(n: int) -> list[dict]:
    """``n`` pages of one site of tests/data/site-boilerplate: different stories, with the chrome lines marked."""
    with gzip.open(OTHER_PAGES, "rt", encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh]
    return [r for r in rows if r["source"] == "akhbar-alyawm.example"][:n]


def _body(row: dict) -> list[str]:
    chrome = set(row["chrome"])
    return [line for i, line in enumerate(row["text"].splitlines()) if i not in chrome]


def arabic_crawl(kind: str, figures: bool = True) -> list[Page]:
    """An Arabic site's pages: ``two-stories`` (4 versions of each of 2 stories), ``two-stories-and-others``
    (the same and 3 other stories), ``twenty-of-seventy`` (20 versions of one story among 50 other pages)."""
    pages: list[Page] = []
    if kind.startswith("two-stories"):
        for name, story in (("relief", AR_RELIEF), ("water", AR_WATER)):
            pages += [Page(f"{name}-{k}", t, p, name) for k, (t, p) in enumerate(four_versions(story, figures))]
        if kind == "two-stories-and-others":
            pages += [Page(f"other-{k}", f"خبر رقم {k}", _body(row), "") for k, row in enumerate(other_pages(3))]
        # Interleaved as a crawl meets them: story by story would be the easy case.
        return pages[0::2] + pages[1::2]
    versions = [Page(f"airport-{k}", t, p, "airport") for k, (t, p) in enumerate(twenty_versions(AR_AIRPORT, figures))]
    others = [Page(f"other-{k}", f"خبر رقم {k}", _body(row), "") for k, row in enumerate(other_pages(50))]
    # A version after every few other pages, as a crawl that revisits the story meets them.
    return [x for k, other in enumerate(others) for x in ([other, versions[k // 5 * 2]] if k % 5 == 0 else [other])] + [
        v for k, v in enumerate(versions) if k % 2
    ]


_SITE = TEMPLATE.read_text(encoding="utf-8")
_OLD_TITLE = "عودة التيار الكهربائي تدريجياً الى احياء شرق حلب بعد إصلاح محطة تحويل"
_BODY_START = (
    _SITE.index(
        "\n", _SITE.index('field--name-body field--type-text-with-summary field--label-hidden field__item">\n<p>حلب')
    )
    + 1
)
_BODY_END = _SITE.index('    </div>\n    <div class="field field--name-field-tags')
# The site's own chrome inside the article body: an advertising box (two lines, which only site boilerplate
# learning removes) and a sign-off.
_AD = re.search(r'<div dir="rtl".*?</div>\n', _SITE[_BODY_START:_BODY_END], re.S).group()  # type: ignore[union-attr]
_SIGN_OFF = re.search(r"<p><em>.*?</em></p>\n", _SITE[_BODY_START:_BODY_END], re.S).group()  # type: ignore[union-attr]
SITE_AD_LINES = ["لإعلاناتكم على موقع حلب اليوم وصفحاته تواصلوا معنا", "واتساب: +963 944 000 123"]


def html_page(page: Page) -> str:
    """The page in the site's template: its menu, breadcrumb, share bar, tags, comments, footer and, in the body,
    the ad box and the sign-off."""
    body = "".join(f"<p>{html.escape(p)}</p>\n" + (_AD if i == 1 else "") for i, p in enumerate(page.paragraphs))
    return (_SITE[:_BODY_START] + body + _SIGN_OFF + _SITE[_BODY_END:]).replace(_OLD_TITLE, html.escape(page.title))


def write_html(root: Path, pages: list[Page]) -> Path:
    """One folder, one site: ``root/halab-today/<id>.html``; returns ``root``."""
    folder = root / "halab-today"
    folder.mkdir(parents=True)
    for page in pages:
        (folder / f"{page.id}.html").write_text(html_page(page), encoding="utf-8")
    return root


def url(page: Page) -> str:
    return f"https://halab-today.net/ar/node/{page.id}"


def write_warc(path: Path, pages: list[Page]) -> Path:
    """The pages as HTTP responses of one host, in one WARC."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    buf = BytesIO()
    writer = WARCWriter(buf, gzip=True)
    for page in pages:
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
        writer.write_record(
            writer.create_warc_record(
                url(page),
                "response",
                payload=BytesIO(html_page(page).encode()),
                http_headers=http,
                warc_headers_dict={"WARC-Date": "2025-12-15T08:00:00Z"},
            )
        )
    path.write_bytes(buf.getvalue())
    return path


EN_TOP = ["Home | World | Business | Sport | Opinion", "Gulf Daily"]
EN_BOTTOM = [
    "Share this article: Facebook | X | WhatsApp | Email",
    "Follow Gulf Daily on X and Instagram",
    "© 2025 Gulf Daily. All rights reserved.",
    "Terms of use | Privacy | Contact",
]


def english_crawl(kind: str, figures: bool = True) -> list[Page]:
    """An English site's pages as a scraper kept them (menu, share bar, sign-off and footer in the text):
    ``two-stories`` or ``two-stories-and-others``."""
    pages = []
    for name, story in (("strike", EN_STRIKE), ("heathrow", EN_HEATHROW)):
        pages += [Page(f"{name}-{k}", t, p, name) for k, (t, p) in enumerate(four_versions(story, figures))]
    if kind == "two-stories-and-others":
        pages += [Page(f"other-{k}", t, p, "") for k, (t, p) in enumerate(EN_OTHERS)]
    return [Page(p.id, p.title, p.paragraphs, p.story, [*EN_TOP, *EN_BOTTOM]) for p in pages[0::2] + pages[1::2]]


# That site's menu and footer lines (as tests/data has them).
AR_TOP = ["الرئيسية | سياسة | اقتصاد | رياضة | ثقافة | منوعات"]
AR_BOTTOM = ["تابعونا على تيليجرام وواتساب للحصول على آخر الأخبار", "جميع الحقوق محفوظة © أخبار اليوم 2025"]


def arabic_records(pages: list[Page]) -> list[dict]:
    """The Arabic crawl as JSONL records: the other pages keep their site's chrome (as tests/data has it), and
    the story's versions get the same site's menu and footer lines."""
    rows = {f"other-{k}": row for k, row in enumerate(other_pages(50))}
    out = []
    for page in pages:
        if page.id in rows:
            row = rows[page.id]
            out.append({"id": page.id, "source": row["source"], "title": page.title, "text": row["text"]})
        else:
            out.append(
                {
                    "id": page.id,
                    "source": "akhbar-alyawm.example",
                    "title": page.title,
                    "text": "\n".join([*AR_TOP, *page.paragraphs, *AR_BOTTOM]),
                }
            )
    return out


def chrome_lines(records: list[dict], pages: list[Page], at_least: int) -> set[str]:
    """Lines of the records that are not article lines and recur on ``at_least`` pages: the site's chrome."""
    article = {line for page in pages for line in page.paragraphs}
    counts: dict[str, int] = {}
    for r in records:
        for line in set(r["text"].splitlines()) - article:
            counts[line] = counts.get(line, 0) + 1
    return {line for line, n in counts.items() if n >= at_least}


def english_records(pages: list[Page]) -> list[dict]:
    return [
        {
            "id": p.id,
            "source": "gulf-daily.example",
            "title": p.title,
            "text": "\n".join([*p.chrome[:2], *p.paragraphs, *p.chrome[2:]]),
        }
        for p in pages
    ]
