"""The Spark engine on one machine (local[2]): the clusters, links and report of the local engine, from JSONL,
Parquet, text and HTML. Skipped, with the reason, where pyspark, pyarrow or a Java runtime is missing.

Spark costs seconds per scan even on a handful of documents (it starts a JVM, then schedules a few dozen
stages), so the cases are few and each checks much."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pytest

from dedup.spark.session import unavailable

WHY = unavailable()
if WHY is not None:
    pytest.skip(WHY, allow_module_level=True)

import pyarrow as pa  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402
from typer.testing import CliRunner  # noqa: E402

from dedup.cli import app  # noqa: E402
from dedup.pipeline import Pipeline, ScanResult  # noqa: E402
from dedup.settings import Settings  # noqa: E402
from dedup.spark import scan, session  # noqa: E402
from dedup.spark.components import connected_components  # noqa: E402

DEV = Path("/work/shared/data/saudinewsnet-dev/docs.jsonl.gz")
DEV_DOCS = 2000


@pytest.fixture(scope="module")
def spark():
    spark = session("local[2]", {"spark.ui.enabled": "false", "spark.sql.shuffle.partitions": "2"})
    yield spark
    spark.stop()


def _same(local: ScanResult, remote: ScanResult, problems: bool = True) -> None:
    assert remote.documents == local.documents
    assert [(c.keep, c.members, c.contained, c.siblings) for c in remote.clusters] == [
        (c.keep, c.members, c.contained, c.siblings) for c in local.clusters
    ]
    assert remote.links == local.links
    assert remote.learned == local.learned
    assert np.array_equal(remote.candidate_similarities, local.candidate_similarities)
    if problems:
        assert sorted(map(str, remote.problems)) == sorted(map(str, local.problems))


def test_components_by_dataframe_rounds(spark) -> None:
    # Two chains, a star and a pair, numbered so that the smallest node is never where a chain starts.
    edges = [(9, 4), (4, 7), (7, 2), (2, 8), (8, 1), (30, 31), (31, 32), (10, 20), (10, 21), (10, 22), (40, 41)]
    found = connected_components(spark.createDataFrame(edges, "a long, b long")).collect()
    labels = {r["node"]: r["comp"] for r in found}
    assert labels == {
        **dict.fromkeys([1, 2, 4, 7, 8, 9], 1),
        **dict.fromkeys([30, 31, 32], 30),
        **dict.fromkeys([10, 20, 21, 22], 10),
        40: 40,
        41: 40,
    }
    assert len(found) == len(labels)


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


def test_dev_month_from_jsonl_and_parquet(spark, tmp_path: Path) -> None:
    """A few thousand SaudiNewsNet documents, half as JSONL and half as Parquet (two files, several row groups),
    by DataFrame components: the local engine's result on the same records as JSONL."""
    if not DEV.exists():
        pytest.skip(f"{DEV} is not on this machine")
    with gzip.open(DEV, "rt", encoding="utf-8") as f:
        lines = [next(f) for _ in range(DEV_DOCS)]
    half = DEV_DOCS // 2
    (tmp_path / "a.jsonl").write_text("".join(lines[:half]) + "not json\n", encoding="utf-8")
    (tmp_path / "b.jsonl").write_text("".join(lines[half:]), encoding="utf-8")
    records = [json.loads(line) for line in lines[half:]]
    columns = sorted({k for r in records for k in r})
    table = pa.Table.from_pylist([{k: r.get(k) for k in columns} for r in records])
    shards = tmp_path / "b"
    shards.mkdir()
    pq.write_table(table.slice(0, half // 2), shards / "part-0.parquet", row_group_size=200)
    pq.write_table(table.slice(half // 2), shards / "part-1.parquet", row_group_size=200)
    settings = Settings()
    local = Pipeline(settings).scan([str(tmp_path / "a.jsonl"), str(tmp_path / "b.jsonl")])
    remote = scan([str(tmp_path / "a.jsonl"), str(shards)], settings, spark=spark, driver_edges=0)
    # The Parquet half names its documents by file and row where the JSONL half names them by line.
    assert [d.id for d in remote.documents] == [d.id for d in local.documents]
    for d in remote.documents[half:]:
        d.origin = d.path = d.root = ""
    for d in local.documents[half:]:
        d.origin = d.path = d.root = ""
    _same(local, remote, problems=False)  # an empty document is named by its origin
    assert sorted(p.message for p in remote.problems) == sorted(p.message for p in local.problems)
    assert len(local.clusters) > 50 and local.learned and local.problems
