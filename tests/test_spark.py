"""The Spark engine on one machine (local[2]): the clusters, links, learned boilerplate and report of the local
engine, from JSONL, Parquet, text and HTML. Skipped, with the reason, where pyspark, pyarrow or a Java runtime is
missing.

Spark costs seconds per scan even on a handful of documents (it starts a JVM, then schedules a few dozen
stages), so the cases are few and each checks much; one session serves them all."""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pytest

from dedup.spark.session import unavailable

WHY = unavailable()
if WHY is not None:
    pytest.skip(WHY, allow_module_level=True)

import pyarrow as pa  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402
from conftest import AR_OTHER_TEXT, AR_PARAS, AR_TEXT, EN_OTHER_TEXT, EN_PARAS, EN_TEXT, snn_records  # noqa: E402
from typer.testing import CliRunner  # noqa: E402

from dedup.cli import app  # noqa: E402
from dedup.cluster import TEMPLATE  # noqa: E402
from dedup.pipeline import Pipeline, ScanResult  # noqa: E402
from dedup.settings import Settings  # noqa: E402
from dedup.spark import scan, session  # noqa: E402
from dedup.spark.match import row_pairs  # noqa: E402

DEV_DOCS = 2000


@pytest.fixture(scope="module")
def spark():
    spark = session(
        "local[2]",
        {"spark.ui.enabled": "false", "spark.sql.shuffle.partitions": "2", "spark.default.parallelism": "2"},
    )
    yield spark
    spark.stop()


def _same(local: ScanResult, remote: ScanResult) -> None:
    assert remote.documents == local.documents
    assert [(c.keep, c.members, c.contained, c.siblings) for c in remote.clusters] == [
        (c.keep, c.members, c.contained, c.siblings) for c in local.clusters
    ]
    assert remote.links == local.links
    assert remote.learned == local.learned
    assert np.array_equal(remote.candidate_similarities, local.candidate_similarities)
    assert sorted(map(str, remote.problems)) == sorted(map(str, local.problems))


def test_fixtures_give_the_same_report_on_both_engines(spark) -> None:
    """Text, HTML and JSONL inputs with site boilerplate and template siblings, through the command line."""
    runner = CliRunner()
    args = ["scan", "fixtures", "--format", "json", "--explain", "--quiet"]
    local = runner.invoke(app, args)
    remote = runner.invoke(app, [*args, "--engine", "spark", "--master", "local[2]"])
    assert local.exit_code == 0 and remote.exit_code == 0, remote.output
    report = json.loads(remote.stdout)
    assert report == json.loads(local.stdout)
    assert report["clusters"] and report["learned_boilerplate"]
    assert spark.sparkContext._jsc is not None  # the command used the running session and left it running


# -- a generated corpus: sites with chrome, stories republished, copies, template siblings, round-ups ------------

WORDS = sorted({w for text in (AR_TEXT, AR_OTHER_TEXT, *AR_PARAS) for w in text.split()})
EN_WORDS = sorted({w for text in (EN_TEXT, EN_OTHER_TEXT, *EN_PARAS) for w in text.split()})
CHROME = {
    "okaz.example": ["الرئيسية | محليات | اقتصاد | رياضة", "جميع الحقوق محفوظة لصحيفة عكاظ"],
    "sabq.example": ["صحيفة سبق الإلكترونية: أخبار المملكة على مدار الساعة", "الرياض | جدة | الدمام | مكة المكرمة"],
    "alriyadh.example": ["اشترك في النشرة البريدية لجريدة الرياض"],
    "wire.example": ["World | Business | Markets | Sport", "Wire Media Group, 12 Fleet Street, London"],
    "herald.example": ["Most read this week on the Herald"],
    "plain.example": [],
}


def _story(rng: random.Random, words: int, english: bool) -> list[str]:
    vocab = EN_WORDS if english else WORDS
    text = [rng.choice(vocab) for _ in range(words)]
    cuts = sorted(rng.sample(range(20, words - 10), 3))
    return [" ".join(text[a:b]) for a, b in zip([0, *cuts], [*cuts, words])]


def _edit(rng: random.Random, paragraphs: list[str], english: bool) -> list[str]:
    vocab = EN_WORDS if english else WORDS
    out = [" ".join(w if rng.random() > 0.03 else rng.choice(vocab) for w in p.split()) for p in paragraphs]
    return out[:-1] if len(out) > 3 and rng.random() < 0.3 else out


def generated_records(n_stories: int = 1400, seed: int = 16) -> list[dict]:
    """~2,500 records: stories on six sites (their chrome on every page), exact copies and rewrites on other
    sites, updates republished on the same site, price items that differ only in their figures (template
    siblings), round-ups that hold shorter stories, two pages with nothing left after cleaning."""
    rng = random.Random(seed)
    sites = sorted(CHROME)
    records: list[dict] = []

    def add(site: str, title: str, paragraphs: list[str], day: int) -> None:
        lines = [*paragraphs, *CHROME[site]]
        records.append(
            {
                "id": f"g{len(records):05d}",
                "source": site,
                "title": title,
                "text": "\n".join(lines),
                "date": f"2024-03-{1 + day % 28:02d}" if rng.random() > 0.05 else None,
            }
        )

    stories = []
    for k in range(n_stories):
        english = rng.random() < 0.3
        paragraphs = _story(rng, rng.randrange(80, 260), english)
        site, day = rng.choice(sites), rng.randrange(40)
        add(site, f"خبر {k}" if not english else f"Story {k}", paragraphs, day)
        stories.append(paragraphs)
        roll = rng.random()
        if roll < 0.1:  # an exact copy elsewhere (the other site's chrome around it)
            add(rng.choice([s for s in sites if s != site]), f"نسخة {k}", paragraphs, day + 1)
        elif roll < 0.35:  # rewrites elsewhere, a few days later
            for _ in range(rng.randrange(1, 3)):
                add(rng.choice(sites), f"إعادة {k}", _edit(rng, paragraphs, english), day + rng.randrange(5))
        elif roll < 0.45:  # updated and republished on the same site: its paragraphs are not chrome
            add(site, f"تحديث {k}", [*paragraphs, " ".join(rng.choice(WORDS) for _ in range(30))], day)
    for k in range(30):  # one formula, other figures: siblings, never copies
        gold, usd = 250 + k, 3.70 + k / 100
        add(
            "alriyadh.example",
            f"أسعار الذهب {k}",
            [
                f"سجل سعر غرام الذهب عيار 24 اليوم {gold} ريالا في الأسواق المحلية بينما بلغ سعر الدولار {usd:.2f} ريال",
                f"وتراجع عيار 21 إلى {gold - 31} ريالا وسط تداولات هادئة في محلات الذهب في الرياض وجدة والدمام اليوم",
            ],
            k,
        )
    short = [p for p in stories if sum(len(x.split()) for x in p) < 140]
    for k in range(30):  # round-ups ten times a story's length, one short story inside
        inner = rng.choice(short)
        around = _story(rng, 900, False)
        add("okaz.example", f"حصاد اليوم {k}", [*around[:2], *inner, *around[2:]], k)
    add("wire.example", "Share", ["Share this article"], 3)
    add("wire.example", "", ["Share on Facebook"], 4)
    rng.shuffle(records)
    return records


def _write_inputs(records: list[dict], folder: Path) -> list[str]:
    """Half the records as a JSONL file (with a broken line), half as a folder of two Parquet files of several
    row groups."""
    half = len(records) // 2
    lines = [json.dumps(r, ensure_ascii=False) for r in records[:half]]
    lines.insert(7, "{not json")
    (folder / "a.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    shards = folder / "shards"
    shards.mkdir()
    columns = sorted({k for r in records for k in r})
    table = pa.Table.from_pylist([{k: r.get(k) for k in columns} for r in records[half:]])
    quarter = table.num_rows // 2
    pq.write_table(table.slice(0, quarter), shards / "part-0.parquet", row_group_size=200)
    pq.write_table(table.slice(quarter), shards / "part-1.parquet", row_group_size=200)
    return [str(folder / "a.jsonl"), str(shards)]


def test_generated_corpus_from_jsonl_and_parquet(spark, tmp_path: Path, monkeypatch) -> None:
    """Components by DataFrame rounds (driver_edges=0), windows in the banding, per-story site counting, the
    JSONL file read in byte ranges by several tasks: every part of the local result, on the same files."""
    inputs = _write_inputs(generated_records(), tmp_path)
    assert Path(inputs[0]).stat().st_size > 8 * 100_000
    monkeypatch.setattr("dedup.spark.run.BYTES_PER_TASK", 100_000)
    settings = Settings()
    local = Pipeline(settings).scan(inputs)
    remote = scan(inputs, settings, spark=spark, driver_edges=0)
    _same(local, remote)
    # The corpus exercises what it is meant to: learned chrome, siblings, copies, round-ups, problems.
    assert {x.site for x in local.learned} >= {"okaz.example", "sabq.example", "wire.example"}
    assert any(k.relation == TEMPLATE for k in local.links)
    assert len(local.clusters) > 300
    long_ids = {i for i, d in enumerate(local.documents) if d.title.startswith("حصاد")}
    assert sum(any(m in long_ids for m, _ in c.members) for c in local.clusters) >= 20
    assert any("malformed JSON" in p.message for p in local.problems)


def test_dev_month_from_jsonl_and_parquet(spark, tmp_path: Path) -> None:
    """SaudiNewsNet documents (the first of the dev month), half as JSONL, half as Parquet."""
    records = []
    for record in snn_records():
        records.append(record)
        if len(records) == DEV_DOCS:
            break
    inputs = _write_inputs(records, tmp_path)
    local = Pipeline(Settings()).scan(inputs)
    _same(local, scan(inputs, Settings(), spark=spark))
    assert len(local.clusters) > 50 and local.learned


def test_remove_makes_the_same_removals_and_manifest(spark, tmp_path: Path) -> None:
    """``dedup remove --engine spark``: the output and the manifest of the local engine (text, HTML and JSONL in,
    JSONL out: cleaned records of the text and HTML documents, site boilerplate stripped as scanned)."""
    runner = CliRunner()
    found = {}
    for engine in ("local", "spark"):
        out = tmp_path / f"{engine}.jsonl"
        result = runner.invoke(app, ["remove", "fixtures", "-o", str(out), "--quiet", "--engine", engine])
        assert result.exit_code == 0, result.output
        manifest = json.loads((tmp_path / f"{engine}.jsonl.manifest.json").read_text(encoding="utf-8"))
        del manifest["created"], manifest["output"]
        found[engine] = (out.read_bytes(), manifest)
    assert found["spark"] == found["local"]
    assert len(found["local"][1]["dropped"]) == 21


def test_week_blocking_pairs_only_documents_a_week_apart(spark) -> None:
    """Rows sharing one band key: documents of weeks 10, 11 and 13, two undated, and windows."""
    rows = [(0, 0, 10), (1, 0, 11), (2, 0, 13), (3, 0, None), (4, 0, None), (5, 1, 11), (5, 2, 11), (6, 1, 10)]
    df = spark.createDataFrame([(o, w, [7], wk) for o, w, wk in rows], "owner long, w int, bands array<long>, week int")

    def pairs(blocking: bool) -> set[tuple[int, int]]:
        found = row_pairs(df, blocking).select("a.owner", "b.owner").collect()
        return {(min(a, b), max(a, b)) for a, b in found}

    # Window 5/2 is banded once with 5/1 (same owner, same bucket); two windows never pair.
    everything = {(a, b) for a in range(5) for b in range(a + 1, 5)} | {(k, 5) for k in range(5)}
    everything |= {(k, 6) for k in range(5)}
    assert pairs(False) == everything
    assert pairs(True) == {(0, 1), (3, 4), (0, 6), (1, 5), (0, 5), (1, 6)}
