"""The first pass of a scan counts a file's ranges as the workers send them, and reads the file again, whole, when
a range turns out not to be UTF-8: what one process decides, each problem reported once."""

import gzip
from pathlib import Path

from test_shares import _corpus, _scan

from dedup.clean import Cleaner, SiteBoilerplate
from dedup.fingerprint import Fingerprinter
from dedup.io import Reader, ranges
from dedup.io.ranges import cut
from dedup.pipeline import run, shares
from dedup.pipeline.workers import StageState
from dedup.settings import Settings


def _legacy(path: Path, lines: list[str], k: int) -> None:
    """``lines`` with line ``k`` in windows-1256 (an Arabic legacy encoding), the rest UTF-8."""
    lines[k] = lines[k].replace(f'"d{k - 3}"', f'"d{k - 3}-legacy"')
    data = ("\n".join(lines) + "\n").encode("utf-8")
    path.write_bytes(data.replace(lines[k].encode("utf-8"), lines[k].encode("windows-1256", errors="replace")))


def test_a_legacy_line_after_other_files_problems_gets_every_problem_said_once(tmp_path, monkeypatch) -> None:
    # A compressed file read first (a malformed record in it: reported while the big file is still being
    # counted), then a file whose ranges are counted as they come until one in its last part is not UTF-8.
    first = tmp_path / "earlier.jsonl.gz"
    path = tmp_path / "news.jsonl"
    lines = _corpus(path)
    first.write_bytes(gzip.compress(("\n".join(lines[:9]) + "\n[1]\n").encode("utf-8")))
    _legacy(path, lines, 55)
    monkeypatch.setattr(shares, "RANGE_BYTES", 9000)
    assert len(cut(str(path), 9000)) > 10
    alone = _scan([str(first), str(path)], workers=1)
    runs: list[bool] = []
    learn = run.Pipeline._learn
    monkeypatch.setattr(
        run.Pipeline, "_learn", lambda self, *a, **k: runs.append(k["optimistic"]) or learn(self, *a, **k)
    )
    shared = _scan([str(first), str(path)], workers=2)
    assert shared == alone
    assert runs == [True, False]  # counted as they came, then again with the file read whole
    problems = shared[2]
    assert len(problems) == len(set(problems)) and any("earlier.jsonl.gz" in p for p in problems)
    assert any(":19:" in p for p in problems)  # the malformed line of the big file, said once
    assert any(d.endswith("-legacy") for c in shared[0] for d in c) or shared[1][-1].startswith(str(path))


def test_ranges_all_utf8_are_counted_as_they_come_and_decide_as_one_process(tmp_path, monkeypatch) -> None:
    path = tmp_path / "news.jsonl"
    _corpus(path)
    monkeypatch.setattr(shares, "RANGE_BYTES", 9000)
    ranges = len(list(shares.file_cuts(str(path))))
    received: list[int] = []  # shares received from the workers
    counted: list[int] = []  # shares received when the learner counted pages
    original_observe, original_map = shares.Learning._observe, run.ordered_map

    def observe(self, n):  # type: ignore[no-untyped-def]
        counted.append(len(received))
        original_observe(self, n)

    def ordered_map(fn, batches, workers, state=None):  # type: ignore[no-untyped-def]
        for out in original_map(fn, batches, workers, state):
            if fn is shares.read_clean_spool:
                received.append(1)
            yield out

    alone = _scan([str(path)], workers=1)
    monkeypatch.setattr(shares.Learning, "_observe", observe)
    monkeypatch.setattr(run, "ordered_map", ordered_map)
    shared = _scan([str(path)], workers=2)
    assert shared == alone
    assert len(received) == ranges > 10
    assert counted and counted[0] < ranges // 2  # counting began long before the last range came back


def test_the_first_range_goes_to_a_worker_before_the_file_is_cut_to_its_end(tmp_path, monkeypatch) -> None:
    path = tmp_path / "news.jsonl"
    _corpus(path)
    monkeypatch.setattr(shares, "RANGE_BYTES", 9000)
    opened: list = []
    original = ranges.open_regular
    monkeypatch.setattr(ranges, "open_regular", lambda p: opened.append(original(p)) or opened[-1])
    tasks = shares.shares([str(path)], Reader(), [], 64)
    first = next(tasks)
    assert opened[0].tell() < path.stat().st_size // 4  # the newlines of the rest not counted yet
    every = [first, *tasks]
    assert [(t.first, t.stop, t.first_line) for t in every] == [c[:3] for c in shares.file_cuts(str(path))]
    assert [t.last for t in every] == [False] * (len(every) - 1) + [True]
    assert not any(t.whole for t in every)
    monkeypatch.setattr(shares, "RANGE_BYTES", path.stat().st_size)  # one range: the file's first and last
    [only] = shares.shares([str(path)], Reader(), [], 64)
    assert (only.first, only.stop, only.first_line, only.whole, only.last) == (0, path.stat().st_size, 1, True, True)


def test_a_file_that_shrinks_while_cut_loses_none_of_the_pages_read(tmp_path, monkeypatch) -> None:
    path = tmp_path / "news.jsonl"
    _corpus(path)
    monkeypatch.setattr(shares, "RANGE_BYTES", 9000)
    alone = _scan([str(path)], workers=1)
    original = shares.file_cuts

    def shrunk(item):  # type: ignore[no-untyped-def]
        # As ranges.cuts ends when a read finds the file shorter than its size: no range is flagged last.
        for first, stop, line, _ in original(item):
            yield first, stop, line, False

    monkeypatch.setattr(shares, "file_cuts", shrunk)
    clusters, origins, problems, _ = _scan([str(path)], workers=2)
    assert origins == alone[1] and clusters == alone[0]
    assert problems == alone[2] and any(":19:" in p for p in problems)  # the malformed line still said


def test_learning_counts_the_ranges_of_a_file_whose_last_range_never_came(tmp_path) -> None:
    path = tmp_path / "news.jsonl"
    _corpus(path)
    state = shares.ShareState(StageState(Cleaner(), Fingerprinter(), Settings(), keep_records=False), str(tmp_path))
    [first, *_] = cut(str(path), 9000)
    task = shares.RangeTask(str(path), first[0], first[1], first[2], False, False)
    share = shares.read_clean_spool(state, task)
    learning = shares.Learning(SiteBoilerplate(3, 0.5), 8, lambda problem: None)
    learning.add(task, share, lambda whole: shares.read_clean_spool(state, whole))
    assert learning.pages == 0  # held until the file's last range
    learning.finish()
    assert learning.pages == share.count > 0 and len(learning.spooled) == 1
