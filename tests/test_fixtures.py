"""End to end on the bundled fixtures: the expected clusters, seeds never merged, remove then check passes."""

import itertools
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dedup.cli import app
from dedup.pipeline import scan
from dedup.settings import Settings

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
TRUTH = json.loads((FIXTURES / "expected_clusters.json").read_text(encoding="utf-8"))


@pytest.fixture(autouse=True)
def _in_fixtures(monkeypatch: pytest.MonkeyPatch) -> None:
    # File ids are paths relative to the working directory; the truth names them relative to fixtures/.
    monkeypatch.chdir(FIXTURES)


UNIVERSE = {i for group in TRUTH["clusters"] for i in group} | set(TRUTH["singletons"])


def _clusters(result) -> list[set[str]]:
    groups = [{result.documents[m].id for m, _ in c.members} for c in result.clusters]
    # Other fixture sets live beside the demo corpus; compare only the documents the truth covers.
    return [g & UNIVERSE for g in groups if len(g & UNIVERSE) > 1]


def test_scan_finds_exactly_the_expected_clusters() -> None:
    result = scan([str(FIXTURES)])
    found = sorted(sorted(g) for g in _clusters(result))
    assert found == sorted(sorted(g) for g in TRUTH["clusters"])


def test_the_five_seeds_are_never_merged_even_at_a_low_threshold() -> None:
    seeds = sorted(f"seeds/{p.name}" for p in (FIXTURES / "seeds").glob("*.txt"))
    assert len(seeds) == 5
    for threshold in (0.5, 0.3, 0.2):
        result = scan([str(FIXTURES / "seeds")], Settings(threshold=threshold, containment=0.6))
        assert result.clusters == [], f"seeds merged at threshold {threshold}"
    result = scan([str(FIXTURES)])
    for group in _clusters(result):
        assert len(group & set(seeds)) <= 1


def test_pairwise_precision_and_recall_on_the_fixtures_are_perfect() -> None:
    gold = {frozenset(p) for g in TRUTH["clusters"] for p in itertools.combinations(g, 2)}
    result = scan([str(FIXTURES)])
    pred = {frozenset(p) for g in _clusters(result) for p in itertools.combinations(sorted(g), 2)}
    assert pred == gold


def test_remove_then_check_passes(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "unique"
    removed = runner.invoke(app, ["remove", str(FIXTURES), "-o", str(out), "-q"])
    assert removed.exit_code == 0, removed.output
    manifest = json.loads((tmp_path / "unique.manifest.json").read_text(encoding="utf-8"))
    assert len(manifest["dropped"]) == sum(len(g) - 1 for g in TRUTH["clusters"])
    checked = runner.invoke(app, ["check", str(out), "-q"])
    assert checked.exit_code == 0, checked.output
    before = runner.invoke(app, ["check", str(FIXTURES), "-q"])
    assert before.exit_code == 1 and "duplicate:" in before.output
