"""The Spark engine's Python parts, without Spark: each must make the local engine's decision.

(Spark itself runs in tests/test_spark.py.)"""

from __future__ import annotations

import gzip
import inspect
import json
import os
import random
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

pytest.importorskip("pyarrow", reason="the Spark engine's stages need pyarrow")

from dedup.clean import Page, site_observations
from dedup.clean.site import SiteBoilerplate
from dedup.cluster import exact_groups, keep_order
from dedup.document import DocInfo, Document
from dedup.io import FieldNames, Reader
from dedup.io.ranges import survey
from dedup.lsh import candidate_pairs
from dedup.pipeline import Pipeline
from dedup.settings import Settings
from dedup.spark.clusters import Node, component_clusters
from dedup.spark.components import small_graph_components
from dedup.spark.match import MAX_BUCKET
from dedup.spark.read import list_units, read_items, split_units
from dedup.spark.site import LOCAL_BATCH, LearnedBoilerplate, learn
from dedup.spark.stages import order_key


def test_constants_follow_the_local_engine() -> None:
    assert MAX_BUCKET == inspect.signature(candidate_pairs).parameters["max_bucket"].default
    assert LOCAL_BATCH == inspect.signature(Pipeline).parameters["batch_size"].default


@pytest.mark.parametrize("keep", ["first", "longest", "earliest", "source"])
def test_order_keys_sort_as_keep_order(keep: str) -> None:
    rng = random.Random(7)
    infos = [
        DocInfo(
            str(i),
            "",
            rng.choice(["SPA", "spa", "x.com", None, "ÉCHO", "صحيفة"]),
            rng.choice([None, "2015-07-21", "2015-07-20 23:00", "2015-07-21T01:00", "٢٠١٥"]),
            "",
            None,
            None,
            rng.randrange(0, 5),
            "",
        )
        for i in range(300)
    ]
    prefer = ("spa", "صحيفة")
    ranks = {src.lower(): k for k, src in enumerate(prefer)}
    # Spark compares the strings as UTF-8 bytes: the same order as Python's code points.
    by_key = sorted(range(len(infos)), key=lambda i: (*_utf8(order_key(infos[i], keep, ranks)), i))
    assert by_key == keep_order(infos, keep, prefer)


def _utf8(key: tuple[int, str]) -> tuple[int, bytes]:
    return key[0], key[1].encode("utf-8")


def test_site_learning_on_the_driver_is_the_local_learners() -> None:
    """Pages of three sites, stories republished (per-story counting), in several local batches: the learner fed
    as the Spark driver feeds it learns and strips what the local engine's learns and strips."""
    rng = random.Random(5)
    words = "port strike talks unions ship cargo minister budget vote rain flood city court ruling oil price".split()
    stories = [" ".join(rng.choice(words) for _ in range(60)) for _ in range(40)]
    chrome = {"a.com": ["Subscribe to A Daily", "© A News"], "b.org": ["اقرأ أيضاً", "تابعونا على تويتر"], "c.net": []}
    pages = []
    for i in range(300):
        site = rng.choice(sorted(chrome))
        story = rng.randrange(len(stories))  # a story recurs: versions of it must count once per site
        text = "\n".join([stories[story], *(f"Update {i}." for _ in range(rng.randrange(2))), *chrome[site]])
        pages.append(Page.of(Document(id=str(i), title=f"Story {story}", text=text, source=site)))
    local = SiteBoilerplate()
    for start in range(0, len(pages), LOCAL_BATCH):
        local.observe_batch(site_observations(pages[start : start + LOCAL_BATCH]))
    observed = site_observations(pages)
    driver, marked = learn(
        ((i, p.doc.source, p.hashes, obs[3]) for i, (p, obs) in enumerate(zip(pages, observed))), 3, 0.01
    )
    assert [(x.site, x.documents) for x in driver.learned()] == [(x.site, x.documents) for x in local.learned()]
    assert {x.site for x in local.learned()} == {"a.com", "b.org"}
    exact = LearnedBoilerplate(marked)
    for p in pages:
        assert (
            exact.boilerplate_mask(p.doc.source, p.hashes).tolist()
            == local.boilerplate_mask(p.doc.source, p.hashes).tolist()
        )
    # The cleaner asks for a batch's masks at once (Cleaner.site_masks): the same answers.
    sites, hashes = [p.doc.source for p in pages], [p.hashes for p in pages]
    assert [m.tolist() for m in exact.boilerplate_masks(sites, hashes)] == [
        m.tolist() for m in local.boilerplate_masks(sites, hashes)
    ]


def test_small_graph_components_label_each_node_with_its_smallest() -> None:
    rng = np.random.default_rng(3)
    a, b = rng.integers(0, 500, 300), rng.integers(0, 500, 300)
    nodes, comps = small_graph_components(a, b)
    parent = {int(n): int(n) for n in nodes}

    def find(x: int) -> int:
        while parent[x] != x:
            x = parent[x]
        return x

    for x, y in zip(a.tolist(), b.tolist()):
        rx, ry = find(x), find(y)
        parent[max(rx, ry)] = min(rx, ry)
    assert comps.tolist() == [find(int(n)) for n in nodes]


def test_units_are_read_as_the_local_reader_reads(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "2.txt").write_text("Title two\nBody two", encoding="utf-8")
    (tmp_path / "a.jsonl").write_text('{"text": "one"}\nbroken\n{"id": "x", "text": "three"}\n', encoding="utf-8")
    (tmp_path / ".hidden.txt").write_text("skipped", encoding="utf-8")
    (tmp_path / "notes.md").write_text("skipped in a folder", encoding="utf-8")
    inputs = [str(tmp_path), "fixtures/seeds/000_c982bc174d5a0ccb.txt"]
    local_problems: list = []
    local = list(Reader(on_problem=local_problems.append, keep_records=False).read(inputs))
    problems: list = []
    ours = [x for u in list_units(inputs, problems, os.getcwd()) for x in read_items(u, FieldNames())]
    docs = [x for x in ours if not hasattr(x, "message")]
    assert [(d.id, d.title, d.text, d.origin, d.path, d.root, d.source) for d in docs] == [
        (d.id, d.title, d.text, d.origin, d.path, d.root, d.source) for d in local
    ]
    assert [x for x in ours if hasattr(x, "message")] == local_problems and problems == []


def _jsonl_lines() -> list[bytes]:
    """Arabic and English records, some without an id (their id is the line number), a blank line, a broken one,
    an over-long one (a problem), a UTF-8 byte-order mark on the first."""
    rng = random.Random(5)
    words = ["ميناء", "جدة", "الشحن", "port", "strike", "ships", "وزارة", "النقل", "cargo", "delays"]
    lines = []
    for k in range(60):
        record = {"text": " ".join(rng.choice(words) for _ in range(rng.randint(3, 400))), "title": f"خبر {k}"}
        if k % 3:
            record["id"] = f"n{k}"
        lines.append(json.dumps(record, ensure_ascii=k % 2 == 0).encode("utf-8"))
    lines[0] = b"\xef\xbb\xbf" + lines[0]
    lines[9], lines[21] = b"", b"{broken"
    lines[30] = json.dumps({"id": "big", "text": "x" * 9000}).encode()  # over the limit the test sets
    return lines


@pytest.mark.parametrize("tail", [b"", b"\n"])
@pytest.mark.parametrize("step", [1, 997, 4096])
def test_byte_ranges_read_as_the_whole_file(tmp_path: Path, tail: bytes, step: int, monkeypatch) -> None:
    """A JSONL file cut into ranges gives the local reader's documents and problems, line numbers included,
    wherever the cuts fall (inside a line, on a newline, inside a multi-byte letter)."""
    monkeypatch.setattr("dedup.io.read.MAX_DOCUMENT_BYTES", 8000)
    path = tmp_path / "news.jsonl"
    path.write_bytes(b"\n".join(_jsonl_lines()) + tail)
    local_problems: list = []
    local = list(Reader(on_problem=local_problems.append, keep_records=False).read([str(path)]))
    units = split_units(list_units([str(path)], [], os.getcwd()), step, lambda rs: [survey(*r) for r in rs])
    assert len(units) > 5 and [u.number for u in units] == list(range(len(units)))
    ours = [x for u in units for x in read_items(u, FieldNames())]
    docs = [x for x in ours if not hasattr(x, "message")]
    assert [(d.id, d.title, d.text, d.origin) for d in docs] == [(d.id, d.title, d.text, d.origin) for d in local]
    assert [x for x in ours if hasattr(x, "message")] == local_problems and len(local_problems) == 2


def test_a_file_not_all_utf8_is_read_whole(tmp_path: Path) -> None:
    """The reader picks a legacy encoding at a file's first non-UTF-8 line, for the whole file: such a file is
    not cut (nor is a gzip file)."""
    path = tmp_path / "legacy.jsonl"
    lines = [json.dumps({"id": f"d{k}", "text": "ميناء جدة " * 30}, ensure_ascii=False) for k in range(40)]
    path.write_bytes("\n".join(lines).encode("windows-1256"))
    gz = tmp_path / "b.jsonl.gz"
    gz.write_bytes(gzip.compress(b"\n".join(x.encode() for x in lines)))
    units = split_units(list_units([str(path), str(gz)], [], os.getcwd()), 100, lambda rs: [survey(*r) for r in rs])
    assert [(u.number, u.stop) for u in units] == [(0, -1), (1, -1)]


def test_star_clusters_per_component_equal_the_global_ones() -> None:
    """A local scan's clusters, found again one component at a time from its own links and documents."""
    settings = Settings()
    pipeline = Pipeline(settings, workers=1)
    result = pipeline.scan(["fixtures"])
    infos = result.documents
    order = keep_order(infos, settings.keep, settings.prefer)
    groups = exact_groups(infos, order)
    fp = pipeline.fingerprinter
    docs = {d.id: d for d in pipeline.documents(["fixtures"], explain=False)}
    from dedup.fingerprint import content_words
    from dedup.normalize import normalize

    def node(i: int, copies=()) -> Node:
        text = normalize(docs[infos[i].id].full_text)
        return Node(
            i,
            infos[i].words,
            infos[i].date,
            infos[i].source,
            fp.text_shingles(text),
            content_words(text),
            text,
            tuple(copies),
        )

    nodes, comps = small_graph_components(np.array([k.a for k in result.links]), np.array([k.b for k in result.links]))
    found = []
    for comp in sorted(set(comps.tolist())):
        members = nodes[comps == comp].tolist()
        links = [k for k in result.links if k.a in members]
        parts = [node(m, [node(c) for c in groups.get(m, [])]) for m in members]
        random.Random(comp).shuffle(parts)  # Spark hands a component's rows over in any order
        found += component_clusters(parts, links, settings)
    rank = {d: r for r, d in enumerate(order)}
    lone = [c for c in result.clusters if c.keep not in set(nodes.tolist())]
    found = sorted(found + lone, key=lambda c: rank[c.keep])
    assert [(c.keep, c.members, c.contained, c.siblings) for c in found] == [
        (c.keep, c.members, c.contained, c.siblings) for c in result.clusters
    ]


def test_copies_join_in_keep_order_whatever_order_the_rows_come_in() -> None:
    from dedup.cluster import Link

    a, b, c = Node(1, 30), Node(2, 30, copies=(Node(5, 30),)), Node(3, 30, copies=(Node(4, 30),))
    links = [Link(1, 2, 0.9, 0.9), Link(1, 3, 0.9, 0.9)]
    expected = [(1, 1.0), (2, 0.9), (3, 0.9), (5, 0.9), (4, 0.9)]  # expand_exact: copies of 2, then of 3
    for nodes in ([a, b, c], [c, b, a], [b, a, c]):
        assert [cl.members for cl in component_clusters(nodes, links, Settings(templates=False))] == [expected]


def test_fingerprint_batch_carries_each_documents_excerpt_windows() -> None:
    """A long round-up gets its windows' signatures and band keys, a short story none: those the local engine
    bands (dedup.pipeline.workers.fingerprint, dedup.lsh.band_hashes)."""
    from dedup.lsh import band_hashes, lsh_params
    from dedup.pipeline.workers import fingerprint
    from dedup.spark.read import documents_batch
    from dedup.spark.stages import clean_batch, fingerprint_batch, page_of, stage_state

    rng = random.Random(3)
    words = "port strike talks unions ship cargo minister budget vote rain flood city court ruling oil".split()
    long_text = " ".join(rng.choice(words) + str(rng.randrange(50)) for _ in range(450))
    docs = [Document(id="short", text="The port strike entered its third day."), Document(id="long", text=long_text)]
    s = Settings(site_boilerplate=False)
    state = stage_state(s)
    pages = clean_batch(state, documents_batch(docs, 0))
    rows = fingerprint_batch(state, pages, {0: 0}, {}).to_pylist()
    local = fingerprint([page_of(r) for r in pages.to_pylist()], state.cleaner, state.fingerprinter, s)
    assert [len(r["windows"]) for r in rows] == [0, 4] and local.window_owners.tolist() == [1, 1, 1, 1]
    bands, band_rows = lsh_params(s.lsh_threshold, s.num_perm)
    keys = band_hashes(local.window_signatures, bands, band_rows, flat=False).view(np.int64)
    for w, window in enumerate(rows[1]["windows"]):
        assert np.frombuffer(window["sig"], np.uint32).tolist() == local.window_signatures[w].tolist()
        assert window["bands"] == keys[w].tolist()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-"], "-: the Spark engine reads files and folders, not standard input; save it to a file"),
        (["no-such-dir"], "no-such-dir: no such file or directory"),
        (["fixtures", "--index", "x.sqlite"], "--index works with --engine local only"),
    ],
)
def test_spark_scan_refuses_what_it_cannot_read_before_spark_starts(args: list[str], message: str) -> None:
    from typer.testing import CliRunner

    from dedup.cli import app

    result = CliRunner().invoke(app, ["scan", *args, "--engine", "spark"], input="")
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [f"dedup: error: {message}"]


def test_a_brief_contained_in_a_release_reaches_the_rewrite_decision_on_spark() -> None:
    from test_short_briefs import BRIEF, OTHER, RELEASE

    from dedup.fingerprint import Fingerprinter
    from dedup.normalize import normalize
    from dedup.spark.stages import verify_shingles

    fp = Fingerprinter()
    release, brief, other = (
        fp.text_shingles(normalize(t)).astype(np.uint32).tobytes() for t in (RELEASE, BRIEF, OTHER)
    )
    batch = pa.RecordBatch.from_pydict(
        {"a": [0, 0], "b": [1, 2], "sh_a": [release, release], "sh_b": [brief, other]},
    )
    passed = verify_shingles(batch, Settings()).column("passed").to_pylist()
    # The brief (contained, under the floor) goes on to the decision as the local engine sends it; the other
    # editor's brief shares only the formula and is dropped here.
    assert passed == [True, False]
