"""Parquet in and out (dedup.io.parquet): rows become the documents JSONL records become, row group by row group;
kept rows are written back with their schema, and dropped rows come back exactly, at their index."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest

pa = pytest.importorskip("pyarrow", reason="Parquet needs pyarrow (the parquet extra)")
pq = pytest.importorskip("pyarrow.parquet")

from dedup.document import Document  # noqa: E402
from dedup.io import FieldNames, Reader  # noqa: E402
from dedup.io.parquet import (  # noqa: E402
    RowWriter,
    decode_row,
    encode_row,
    is_parquet,
    read_parquet,
    restore_rows,
    row_groups,
    schema_of,
)
from dedup.pipeline import Pipeline  # noqa: E402
from dedup.settings import Settings  # noqa: E402

RECORDS = [
    {
        "id": "a",
        "title": "Port strike",
        "text": "The port strike entered its third day.",
        "url": "https://www.x.com/1",
        "date": "2015-07-21",
    },
    {
        "id": "b",
        "text": "",
        "html": "<html><body><article><p>Parliament approved the budget.</p></article></body></html>",
        "source": "y.org",
    },
    {"id": None, "text": "A record without an id.", "source": "z.net"},
]


FIELDS = FieldNames()


def _read(path: Path, fields: FieldNames = FIELDS, **kw) -> tuple[list[Document], list[str]]:
    problems: list[str] = []
    docs = list(read_parquet(path, lambda where, msg: problems.append(f"{where}: {msg}"), fields, **kw))
    return docs, problems


def test_rows_become_the_documents_their_jsonl_records_become(tmp_path: Path) -> None:
    columns = sorted({k for r in RECORDS for k in r})  # from_pylist takes its columns from the first row
    pq.write_table(pa.Table.from_pylist([{k: r.get(k) for k in columns} for r in RECORDS]), tmp_path / "news.parquet")
    (tmp_path / "news.jsonl").write_text("".join(json.dumps(r) + "\n" for r in RECORDS), encoding="utf-8")
    from_parquet, problems = _read(tmp_path / "news.parquet", root=str(tmp_path), keep_records=False)
    from_jsonl = list(Reader(keep_records=False).read([str(tmp_path / "news.jsonl")]))
    assert problems == []
    keys = ("title", "text", "html", "url", "source", "date", "path")
    assert [{k: getattr(d, k) for k in keys} for d in from_parquet] == [
        {k: getattr(d, k) if k != "path" else d.path.replace(".jsonl", ".parquet") for k in keys} for d in from_jsonl
    ]
    # A row without an id is named by file and row, as a JSONL line by file and line.
    assert [d.id for d in from_parquet] == ["a", "b", "news.parquet:3"]
    assert from_parquet[0].origin == f"{tmp_path / 'news.parquet'}:1"


def test_field_name_options_apply(tmp_path: Path) -> None:
    pq.write_table(pa.table({"key": ["k1"], "body": ["Body text."], "headline": ["Head"]}), tmp_path / "x.parquet")
    docs, _ = _read(tmp_path / "x.parquet", FieldNames(id="key", text="body", title="headline"))
    assert [(d.id, d.title, d.text) for d in docs] == [("k1", "Head", "Body text.")]


def test_a_row_without_text_is_reported_and_skipped(tmp_path: Path) -> None:
    pq.write_table(pa.table({"id": ["a", "b"], "text": ["Kept.", None]}), tmp_path / "x.parquet")
    docs, problems = _read(tmp_path / "x.parquet")
    assert [d.id for d in docs] == ["a"]
    assert problems == [f"{tmp_path / 'x.parquet'}:2: no 'text' or 'html' string field; row skipped"]


def test_dates_and_timestamps_read_as_iso_strings(tmp_path: Path) -> None:
    day = datetime.date(2015, 7, 21)
    moment = datetime.datetime(2015, 7, 21, 2, 51, 32)
    pq.write_table(pa.table({"id": ["a"], "text": ["x"], "date": [day]}), tmp_path / "d.parquet")
    pq.write_table(pa.table({"id": ["a"], "text": ["x"], "date": [moment]}), tmp_path / "t.parquet")
    assert _read(tmp_path / "d.parquet")[0][0].date == "2015-07-21"
    assert _read(tmp_path / "t.parquet")[0][0].date == "2015-07-21T02:51:32"


def test_row_groups_are_read_one_at_a_time_with_file_row_numbers(tmp_path: Path) -> None:
    table = pa.table({"text": [f"Story number {i}." for i in range(10)]})
    pq.write_table(table, tmp_path / "g.parquet", row_group_size=4)
    assert row_groups(tmp_path / "g.parquet") == [(0, 4), (4, 4), (8, 2)]
    docs, _ = _read(tmp_path / "g.parquet", groups=[1], batch_rows=3)
    assert [d.id for d in docs] == ["g.parquet:5", "g.parquet:6", "g.parquet:7", "g.parquet:8"]
    assert [d.text for d in _read(tmp_path / "g.parquet", batch_rows=3)[0]] == table.column("text").to_pylist()


def test_a_damaged_file_is_reported_not_raised(tmp_path: Path) -> None:
    (tmp_path / "bad.parquet").write_bytes(b"PAR1 this is not parquet")
    docs, problems = _read(tmp_path / "bad.parquet")
    assert docs == [] and len(problems) == 1 and "cannot read Parquet" in problems[0]
    assert is_parquet("A/B.PARQUET") and not is_parquet("a.parquet.json")


def _typed_table() -> pa.Table:
    schema = pa.schema(
        [
            ("id", pa.int64()),
            ("text", pa.string()),
            ("day", pa.date32()),
            ("score", pa.float32()),
            ("tags", pa.list_(pa.string())),
        ],
        metadata={b"origin": b"crawl-2015"},
    )
    rows = [
        {"id": i, "text": f"Story {i}.", "day": datetime.date(2015, 7, 1 + i), "score": i / 2, "tags": ["a"] * i}
        for i in range(7)
    ]
    return pa.Table.from_pylist(rows, schema=schema)


def test_kept_rows_written_back_keep_schema_and_dropped_rows_return_at_their_index(tmp_path: Path) -> None:
    original = _typed_table()
    pq.write_table(original, tmp_path / "in.parquet", row_group_size=3)
    docs, _ = _read(tmp_path / "in.parquet")  # keep_records: each row whole, original types
    dropped = {1, 4, 6}
    schema = schema_of(tmp_path / "in.parquet")
    manifest: dict[int, str] = {}
    with RowWriter(tmp_path / "out.parquet", schema, rows_per_group=2) as out:
        for i, doc in enumerate(docs):
            record = doc.meta["_record"]
            if i in dropped:
                manifest[i] = encode_row(record, schema)  # what remove writes to its manifest
            else:
                out.write(record)
    kept = pq.read_table(tmp_path / "out.parquet")
    assert kept.schema == original.schema and kept.schema.metadata == original.schema.metadata
    assert kept.column("id").to_pylist() == [0, 2, 3, 5]
    restore_rows(tmp_path / "out.parquet", json.loads(json.dumps(manifest)) and manifest)
    assert pq.read_table(tmp_path / "out.parquet").equals(original)


def test_encoded_rows_survive_a_json_manifest() -> None:
    table = _typed_table()
    row = table.slice(3, 1).to_pylist()[0]
    text = json.loads(json.dumps({"row": encode_row(row, table.schema)}))["row"]
    assert decode_row(text) == row


def test_restore_puts_rows_back_past_the_end_and_into_an_empty_file(tmp_path: Path) -> None:
    original = _typed_table()
    schema = original.schema
    with RowWriter(tmp_path / "empty.parquet", schema):
        pass
    rows = original.to_pylist()
    restore_rows(tmp_path / "empty.parquet", {i: encode_row(r, schema) for i, r in enumerate(rows)})
    assert pq.read_table(tmp_path / "empty.parquet").equals(original)


def test_the_local_engine_finds_the_same_clusters_in_parquet_as_in_jsonl(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    records = [json.loads(line) for line in Path("fixtures/scraped.jsonl").read_text(encoding="utf-8").splitlines()]
    folder = tmp_path / "shards"
    folder.mkdir()
    half = len(records) // 2
    # A folder of parquet files, as Spark writes them (its marker files are skipped like any unknown file).
    pq.write_table(pa.Table.from_pylist(records[:half]), folder / "part-00000.parquet", row_group_size=5)
    pq.write_table(pa.Table.from_pylist(records[half:]), folder / "part-00001.parquet", row_group_size=5)
    (folder / "_SUCCESS").write_bytes(b"")
    settings = Settings()
    from_jsonl = Pipeline(settings, workers=1).scan(["fixtures/scraped.jsonl"])
    from_parquet = Pipeline(settings, workers=1).scan([str(folder)])
    assert [d.id for d in from_parquet.documents] == [d.id for d in from_jsonl.documents]
    assert [(c.keep, c.members) for c in from_parquet.clusters] == [(c.keep, c.members) for c in from_jsonl.clusters]
    assert from_jsonl.clusters


def test_remove_writes_parquet_rows_to_jsonl_and_refuses_a_folder_output(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from dedup.cli import app

    records = [json.loads(line) for line in Path("fixtures/scraped.jsonl").read_text(encoding="utf-8").splitlines()]
    src = tmp_path / "in.parquet"
    pq.write_table(pa.Table.from_pylist(records), src)
    out = tmp_path / "unique.jsonl"
    done = CliRunner().invoke(app, ["remove", str(src), "-o", str(out), "-q"])
    assert done.exit_code == 0, done.output
    kept = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert 0 < len(kept) < len(records)
    refused = CliRunner().invoke(app, ["remove", str(src), "-o", str(tmp_path / "folder"), "-q"])
    assert refused.exit_code == 2
    assert "Parquet input can only be written to a JSONL output" in refused.stderr
    assert not (tmp_path / "folder").exists()
