"""Workers that read their own share of the input (dedup.pipeline.shares) decide what one process decides."""

import json
from pathlib import Path

import pytest

from dedup.io.ranges import cut, cuts
from dedup.pipeline import shares
from dedup.pipeline.run import Pipeline
from dedup.settings import Settings

SEEDS = Path(__file__).resolve().parent.parent / "fixtures" / "seeds"
# One boilerplate line in several raw spellings: which one is reported depends on the page that makes it
# frequent, so learning in other batches than one process's would name it otherwise.
SPELLINGS = ["Read more on Akhbar.example", "READ MORE ON AKHBAR.EXAMPLE!", "read more on akhbar.example"]


def _corpus(path: Path) -> list[str]:
    """Real articles (fixtures/seeds) as many stories of two sites: copies, cut paragraphs, a learned line in
    several spellings; with a malformed line, a blank one and a record without text among them."""
    seeds = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    lines = []
    for k in range(60):
        paragraphs = seeds[k % len(seeds)].split("\n")
        body = "\n".join(paragraphs[k % 3 :] if k % 7 else paragraphs)  # versions of a story
        text = f"{body}\n{SPELLINGS[k % len(SPELLINGS)]}\nالرئيسية | أخبار | رياضة"
        site = "akhbar.example" if k % 4 else "sabq.example"
        lines.append(json.dumps({"id": f"d{k}", "text": text, "source": site}, ensure_ascii=False))
        if k == 17:
            lines.append('{"id": "broken", "text": ')
        if k == 30:
            lines.append("")
        if k == 41:
            lines.append(json.dumps({"id": "empty", "title": "no text"}))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return lines


def _scan(inputs: list[str], workers: int):
    problems = []
    pipeline = Pipeline(Settings(site_min_docs=3), on_problem=problems.append, workers=workers, batch_size=8)
    result = pipeline.scan(inputs)
    clusters = [[result.documents[i].id for i, _ in c.members] for c in result.clusters]
    origins = [d.origin for d in result.documents]
    return clusters, origins, [str(p) for p in problems], result.learned


@pytest.mark.parametrize("legacy", [False, True])
def test_ranges_read_by_workers_give_what_one_process_gives(tmp_path, monkeypatch, legacy) -> None:
    path = tmp_path / "news.jsonl"
    lines = _corpus(path)
    if legacy:  # one windows-1256 line: the file is read whole again, as one process reads it
        lines[50] = lines[50].replace("d47", "d47-legacy")
        path.write_bytes(("\n".join(lines) + "\n").encode("utf-8").replace(
            lines[50].encode("utf-8"), lines[50].encode("windows-1256", errors="replace")))  # fmt: skip
    monkeypatch.setattr(shares, "RANGE_BYTES", 9000)  # a dozen ranges, each ending inside a batch of 8
    assert len(cut(str(path), 9000)) > 10
    other = tmp_path / "more.jsonl.gz"  # read by this process, in batches of its own
    import gzip

    other.write_bytes(gzip.compress(("\n".join(lines[:9]) + "\n[1]\n").encode("utf-8")))
    alone = _scan([str(path), str(other)], workers=1)
    shared = _scan([str(path), str(other)], workers=2)
    assert shared == alone
    clusters, origins, problems, learned = shared
    assert any(len(c) > 2 for c in clusters)
    assert origins[18] == f"{path}:20"  # numbered as in the file: the broken line is line 19
    assert any("broken" not in p and ":19:" in p for p in problems)
    assert any(x.line.startswith("الرئيسية") for x in learned)
    assert {x.line for x in learned} & set(SPELLINGS)


def test_a_files_last_ranges_are_smaller_and_numbered_as_one_cut(tmp_path) -> None:
    path = tmp_path / "news.jsonl"
    lines = _corpus(path)
    size, step = path.stat().st_size, 9000
    tail, tail_step = 4 * step, step // 4
    found = list(cuts(str(path), step, tail, tail_step))
    # Contiguous whole lines from the first byte to the last, each range numbered by its first line.
    assert [f for f, _, _, _ in found] == [0, *(s for _, s, _, _ in found[:-1])] and found[-1][1] == size
    starts = [0, *(len(line.encode("utf-8")) + 1 for line in lines)]
    offsets = {sum(starts[: k + 1]): k + 1 for k in range(len(lines))}
    assert all(offsets[first] == line for first, _, line, _ in found)
    assert [last for _, _, _, last in found] == [False] * (len(found) - 1) + [True]
    longest_line = max(len(line.encode("utf-8")) + 1 for line in lines)
    for first, stop, _, _ in found:
        limit = tail_step if size - first <= tail else step
        assert limit <= stop - first < limit + longest_line or stop == size
    assert sum(size - first <= tail for first, _, _, _ in found) >= tail // (tail_step + longest_line)
