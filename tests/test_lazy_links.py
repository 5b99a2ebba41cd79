"""The template test only where the clustering reads a link: the same clusters as testing every link."""

import json
import os
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from dedup.cluster import DUPLICATE, TEMPLATE, UNCHECKED, Link, attach_strays, star_clusters
from dedup.pipeline import Pipeline
from dedup.pipeline.lazy import settle_links
from dedup.report.text import to_json
from dedup.settings import Settings

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
COVERAGES = (0.4, 0.8, 1.0)
RELATIONS = (DUPLICATE, DUPLICATE, DUPLICATE, TEMPLATE, "different")


def _link_graphs(max_nodes: int, max_links: int) -> st.SearchStrategy[tuple]:
    """``(n, links, order)``: n documents, distinct pairs with a similarity, coverages both ways and a relation,
    and a keep order."""
    return st.integers(min_value=2, max_value=max_nodes).flatmap(
        lambda n: st.tuples(
            st.just(n),
            st.lists(
                st.tuples(
                    st.integers(0, n - 1),
                    st.integers(0, n - 1),
                    st.sampled_from((0.5, 0.55, 0.7, 0.9, 1.0)),
                    st.sampled_from(COVERAGES),
                    st.sampled_from(COVERAGES),
                    st.sampled_from(RELATIONS),
                ),
                max_size=max_links,
                unique_by=lambda t: (min(t[0], t[1]), max(t[0], t[1])),
            ),
            st.permutations(list(range(n))),
        )
    )


def _clusters(n: int, links: list[Link], order: list[int], reads: set | None = None) -> list[tuple]:
    def similarity_to(stray: int, kept: int) -> tuple[float, str | None]:
        return ((stray * 7 + kept * 3) % 10) / 10, ("copy" if (stray + kept) % 3 else None)

    stars = star_clusters(n, links, order, 0.75, reads)
    attach_strays(stars, links, similarity_to, order, 0.6, 0.3, reads)
    return [(c.keep, c.members, sorted(c.contained)) for c in stars]


@settings(max_examples=1000, deadline=None)
@given(_link_graphs(max_nodes=14, max_links=40))
def test_deciding_only_the_links_read_gives_the_clusters_of_deciding_every_link(case: tuple) -> None:
    _check_lazy(case, local=False)


@settings(max_examples=1000, deadline=None)
@given(_link_graphs(max_nodes=16, max_links=24))  # fewer links: more graphs in several parts
def test_clustering_again_only_the_parts_whose_links_changed_gives_the_same_clusters(case: tuple) -> None:
    _check_lazy(case, local=True)


def _check_lazy(case: tuple, local: bool) -> None:
    n, raw, order = case
    raw = [r for r in raw if r[0] != r[1]]
    truth = {(min(a, b), max(a, b)): rel for a, b, _, _, _, rel in raw}
    undecided = [Link(min(a, b), max(a, b), s, s, UNCHECKED, ab, ba) for a, b, s, ab, ba, _ in raw]
    # What verification gives when it runs the test on every pair: fragments dropped, siblings without coverage.
    decided = [
        Link(link.a, link.b, link.jaccard, link.containment, DUPLICATE, link.a_in_b, link.b_in_a)
        if truth[link.a, link.b] == DUPLICATE
        else Link(link.a, link.b, link.jaccard, link.containment, TEMPLATE)
        for link in undecided
        if truth[link.a, link.b] != "different"
    ]
    asked: list[tuple[int, int]] = []

    def decide(pairs):
        asked.extend(map(tuple, pairs.tolist()))
        return [truth[a, b] for a, b in pairs.tolist()]

    anchor = (lambda item: item[0]) if local else None

    def decide_later(pairs):  # type: ignore[no-untyped-def]
        answers = decide(pairs)
        return lambda: answers

    lazy, links = settle_links(
        undecided,
        lambda view, reads: _clusters(n, view, order, reads),
        decide_later if local else decide,
        anchor,
        groups=3 if local else 1,  # the first run in parts, answers waited for after the last
    )
    if local:  # the parts' clusters in another order (a scan sorts them by their kept document)
        assert sorted(lazy) == sorted(_clusters(n, decided, order))
    else:
        assert lazy == _clusters(n, decided, order)
    assert len(asked) == len(set(asked))  # no pair is tested twice
    assert [link for link in links if link.relation != UNCHECKED] == [
        link for link in decided if (link.a, link.b) in set(asked)
    ]


def test_a_scan_without_reported_siblings_tests_fewer_links_and_finds_the_same_clusters(tmp_path: Path) -> None:
    # Arabic and English news with copies, rewrites and template siblings (fixtures/README.md).
    inputs = [str(FIXTURES / "scraped.jsonl")]
    every = Pipeline(Settings(), workers=1).scan(inputs)
    lazy = Pipeline(Settings(), workers=1).scan(inputs, every_link=False)
    assert json.dumps(to_json(lazy)) == json.dumps(to_json(every))
    assert any(link.relation == UNCHECKED for link in lazy.links)
    decided = {(link.a, link.b): link for link in every.links}
    for link in lazy.links:
        if link.relation != UNCHECKED:
            assert decided[link.a, link.b] == link


def _counting(n: int, order: list[int], runs: list[int]):  # type: ignore[no-untyped-def]
    def cluster(view: list[Link], reads: set) -> list[tuple]:
        runs.append(len(view))
        return _clusters(n, view, order, reads)

    return cluster


def test_answers_that_are_all_duplicates_end_the_clustering_without_another_run() -> None:
    # Four copies of one story around document 0: every link read is a copy.
    links = [Link(0, k, 0.9, 0.9, UNCHECKED, 1.0, 1.0) for k in (1, 2, 3)]
    runs: list[int] = []
    result, final = settle_links(links, _counting(4, [0, 1, 2, 3], runs), lambda p: [DUPLICATE] * len(p))
    assert runs == [3]
    assert result == _clusters(4, [Link(0, k, 0.9, 0.9, DUPLICATE, 1.0, 1.0) for k in (1, 2, 3)], [0, 1, 2, 3])
    assert [link.relation for link in final] == [DUPLICATE] * 3


def test_the_other_links_of_a_template_sibling_are_decided_before_the_next_run() -> None:
    # 0 kept, 1 and 2 its copies, 1-2 a copy pair (unread while 0 takes both). 0-1 is a template sibling: 1 then
    # stands apart, and the next run reads 1-2, which was decided along with 0-1, so no third run is needed.
    truth = {(0, 1): TEMPLATE, (0, 2): DUPLICATE, (1, 2): DUPLICATE}
    links = [Link(a, b, 0.9, 0.9, UNCHECKED, 1.0, 1.0) for a, b in truth]
    asked: list[tuple[int, int]] = []

    def decide(pairs):  # type: ignore[no-untyped-def]
        asked.extend(map(tuple, pairs.tolist()))
        return [truth[a, b] for a, b in pairs.tolist()]

    runs: list[int] = []
    result, _ = settle_links(links, _counting(3, [0, 1, 2], runs), decide)
    decided = [
        Link(0, 1, 0.9, 0.9, TEMPLATE),
        Link(0, 2, 0.9, 0.9, DUPLICATE, 1.0, 1.0),
        Link(1, 2, 0.9, 0.9, DUPLICATE, 1.0, 1.0),
    ]
    assert result == _clusters(3, decided, [0, 1, 2])
    assert sorted(asked) == [(0, 1), (0, 2), (1, 2)]
    assert len(runs) == 2


def test_template_tests_in_a_kept_pool_while_parts_are_clustered_find_the_same_clusters(tmp_path, monkeypatch):
    # Real articles as copies on two sites (tests/test_shares.py); two worker processes kept across the rounds,
    # pairs tested two at a time, so that the pool tests while the parts of the first run are clustered.
    from test_shares import _corpus

    from dedup.parallel import WorkerPool
    from dedup.pipeline import run, verify

    path = tmp_path / "news.jsonl"
    _corpus(path)
    monkeypatch.setattr(verify, "VERIFY_CHUNK", 8)
    monkeypatch.setattr(run, "GROUPS", 3)
    submitted: list[int] = []
    submit = WorkerPool.submit
    monkeypatch.setattr(WorkerPool, "submit", lambda pool, *a: submitted.append(1) or submit(pool, *a))
    every = Pipeline(Settings(site_min_docs=3), workers=1).scan([str(path)])
    lazy = Pipeline(Settings(site_min_docs=3), workers=2).scan([str(path)], every_link=False)
    assert json.dumps(to_json(lazy)) == json.dumps(to_json(every))
    assert len(lazy.clusters) > 2 and len(submitted) > 2


def test_a_kept_pool_answers_each_batch_in_its_worker_processes() -> None:
    import os

    from dedup.parallel import WorkerPool

    with WorkerPool(2, 100) as pool:
        waits = [pool.submit(_offset_and_pid, [k, k + 1]) for k in range(6)]
        assert pool.started
        answers = [wait() for wait in waits]
    assert [total for total, _ in answers] == [100 + 2 * k + 1 for k in range(6)]
    assert os.getpid() not in {pid for _, pid in answers}


def _offset_and_pid(state: int, batch: list[int]) -> tuple[int, int]:
    import os

    return state + sum(batch), os.getpid()


def test_template_tests_in_workers_started_afresh_find_the_same_clusters(tmp_path, monkeypatch):
    # A large corpus's template test runs in spawned workers (dedup.pipeline.lazy.FreshPool), which reopen the
    # text store through /proc: the same clusters as every link tested in this process.
    import pytest

    if not os.path.isdir(f"/proc/{os.getpid()}/fd"):
        pytest.skip("no /proc: the forked pool is used")
    from test_shares import _corpus

    from dedup.pipeline import lazy, verify

    path = tmp_path / "news.jsonl"
    _corpus(path)
    monkeypatch.setattr(verify, "VERIFY_CHUNK", 8)
    monkeypatch.setattr(lazy, "FRESH_FROM", 1)
    pools: list[str] = []
    submit = lazy.FreshPool.submit
    monkeypatch.setattr(
        lazy.FreshPool, "submit", lambda pool, *a: pools.append(type(pool).__name__) or submit(pool, *a)
    )
    every = Pipeline(Settings(site_min_docs=3), workers=1).scan([str(path)])
    lazy_result = Pipeline(Settings(site_min_docs=3), workers=2).scan([str(path)], every_link=False)
    assert json.dumps(to_json(lazy_result)) == json.dumps(to_json(every))
    assert pools and set(pools) == {"FreshPool"}


def test_a_text_store_sent_to_a_spawned_process_reads_the_same_words() -> None:
    import multiprocessing

    from dedup.pipeline.stores import TextStore

    texts = ["وزير الخارجية يلتقي نظيره في الرياض", "The port strike entered its third day"]
    with TextStore() as store:
        store.extend(texts[:1])
        path, offset, sizes = _written_elsewhere(texts[1])
        store.append_stored(path, offset, sizes)
        os.unlink(path)  # as the workers' store files are once the stores have opened them
        with multiprocessing.get_context("spawn").Pool(1) as pool:
            words = pool.map(_words_of, [(store, 0), (store, 1)])
        assert words == [t.split() for t in texts]
        assert store.words(1) == texts[1].split()  # this process's copy still reads


def _written_elsewhere(text: str) -> tuple[str, int, object]:
    """A text written as another process writes it to a file of its own: its path, offset and size."""
    import tempfile

    import numpy as np

    data = text.encode("utf-8")
    fd, path = tempfile.mkstemp(prefix="dedup-test-")
    os.write(fd, b"xx" + data)
    os.close(fd)
    return path, 2, np.array([len(data)])


def _words_of(store_and_index: tuple) -> list[str]:
    store, i = store_and_index
    return store.words(i)


def test_spawned_workers_do_not_run_the_callers_unguarded_script_again(tmp_path: Path) -> None:
    import subprocess
    import sys

    script = tmp_path / "unguarded.py"
    script.write_text(
        "import operator\n"
        "from dedup.pipeline.lazy import FreshPool\n"
        "print('scan', flush=True)\n"
        "with FreshPool(2, 5) as pool:\n"
        "    print(pool.submit(operator.add, 3)(), flush=True)\n",
        encoding="utf-8",
    )
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120, check=True)
    assert out.stdout.split() == ["scan", "8"]
