"""What a ``dedup`` process loads before it has work (issue 15: the pre-commit hook starts once per commit).

``import dedup`` and ``import dedup.cli`` import no numpy, no pipeline, no cleaner rules and no rich: each is
imported by the command that uses it. Checked in a new process (the test process has them all loaded), by the
modules it holds at exit: a regression shows as a module name, never as a timing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import AR_COPY_TEXT, AR_COPY_TITLE, AR_TEXT, AR_TITLE, EN_TEXT, EN_TITLE

from dedup.document import Document

ROOT = Path(__file__).resolve().parent.parent
# Loaded only once a command has documents to read: the array library, the cleaner (its rules, the HTML
# extractor), the pipeline, the facts' tables, the fuzzy matcher, the regex engine and the terminal library.
HEAVY = (
    "numpy",
    "dedup.pipeline",
    "dedup.clean",
    "dedup.facts",
    "dedup.evidence",
    "dedup.index.entry",
    "rapidfuzz",
    "regex",
    "rich",
)


def loaded_after(code: str, cwd: Path) -> set[str]:
    """The modules of a new Python process (this checkout first on its path) after ``code``, even when ``code``
    ends in ``SystemExit`` (a command's exit code)."""
    probe = (
        "import atexit, json, sys\n"
        "atexit.register(lambda: sys.__stdout__.write('\\nMODULES ' + json.dumps(sorted(sys.modules))))\n" + code
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = subprocess.run([sys.executable, "-c", probe], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)
    assert "MODULES " in run.stdout, run.stderr
    return set(json.loads(run.stdout.rsplit("MODULES ", 1)[1]))


def heavy_in(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if any(m == h or m.startswith(h + ".") for h in HEAVY))


def test_importing_the_package_and_the_command_line_loads_no_heavy_module(tmp_path: Path) -> None:
    modules = loaded_after("import dedup, dedup.cli, dedup.settings", tmp_path)
    assert {"dedup.cli", "dedup.settings", "typer"} <= modules
    assert heavy_in(modules) == []


def test_precommit_with_nothing_to_check_loads_no_heavy_module(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("# Corpus\nNot a document dedup reads.\n", encoding="utf-8")
    run_hook = "import sys\nfrom dedup.cli import app\nsys.argv = ['dedup', 'precommit', '-q', 'README.md']\napp()\n"
    modules = loaded_after(run_hook, tmp_path)
    assert "dedup.precommit" in modules  # the command ran
    assert heavy_in(modules) == []


def test_a_scan_still_loads_what_it_needs(tmp_path: Path) -> None:
    # The probe itself can see the modules: a scan that has work loads them (HEAVY names real modules).
    (tmp_path / "a.txt").write_text(f"{EN_TITLE}\n{EN_TEXT}\n", encoding="utf-8")
    scan = "import sys\nfrom dedup.cli import app\nsys.argv = ['dedup', 'scan', 'a.txt', '-q', '--format', 'json']\napp()\n"
    heavy = set(heavy_in(loaded_after(scan, tmp_path)))
    assert {"numpy", "dedup.pipeline", "dedup.clean", "regex"} <= heavy
    assert "rich" not in heavy  # the terminal's table needs it, a JSON report does not


def test_public_names_are_loaded_when_asked_for() -> None:
    import dedup.clean.lines  # binds the subpackage on dedup, which must not hide the function

    assert callable(dedup.clean) and dedup.clean.__module__ == "dedup.pipeline.run"
    assert {"Deduplicator", "Document", "Settings", "scan_documents", "clean"} <= set(dir(dedup))
    docs = [
        dedup.Document(id="saba", title=AR_TITLE, text=AR_TEXT),
        dedup.Document(id="spa", title=AR_COPY_TITLE, text=AR_COPY_TEXT),
        dedup.Document(id="reuters", title=EN_TITLE, text=EN_TEXT),
    ]
    result = dedup.scan_documents(docs)
    assert [[result.documents[m].id for m, _ in c.members] for c in result.clusters] == [["saba", "spa"]]
    assert dedup.Document is Document and dedup.Settings().threshold == 0.5
    with pytest.raises(AttributeError, match="no attribute 'Scanner'"):
        dedup.Scanner  # noqa: B018


def test_precommit_cache_help_names_the_cache_folder() -> None:
    from typer.testing import CliRunner

    from dedup.cli import app
    from dedup.precommit_cache import CACHE_DIR

    result = CliRunner().invoke(app, ["precommit", "--help"], env={"COLUMNS": "200"})
    assert f"{CACHE_DIR}/" in result.stdout


def test_a_small_input_is_scanned_in_process_with_the_same_report(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from dedup.cli import app
    from dedup.cli.common import small_input

    corpus = tmp_path / "news"
    corpus.mkdir()
    for name, title, text in (
        ("saba", AR_TITLE, AR_TEXT),
        ("spa", AR_COPY_TITLE, AR_COPY_TEXT),
        ("reuters", EN_TITLE, EN_TEXT),
    ):
        (corpus / f"{name}.txt").write_text(f"{title}\n{text}\n", encoding="utf-8")
    assert small_input([str(corpus)])
    reports = [
        CliRunner().invoke(app, ["scan", str(corpus), "-q", "--format", "json", *workers]).stdout
        for workers in ([], ["--workers", "2"])
    ]
    assert reports[0] == reports[1] and f'"keep": "{corpus / "saba.txt"}"' in reports[0]


def test_small_input_stops_at_the_limit_and_at_symlink_loops(tmp_path: Path) -> None:
    from dedup.cli.common import small_input

    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "up").symlink_to(tmp_path / "a")  # a loop: walked once
    (tmp_path / "a" / "story.txt").write_text(f"{EN_TITLE}\n{EN_TEXT}\n", encoding="utf-8")
    size = (tmp_path / "a" / "story.txt").stat().st_size
    assert small_input([str(tmp_path / "a")], limit=size + 1)
    assert not small_input([str(tmp_path / "a")], limit=size)
    assert small_input([str(tmp_path / "missing.jsonl")])  # the reader reports it
    assert not small_input([str(tmp_path / "a"), "-"])  # standard input: its size is unknown


def test_dedup_clean_can_be_replaced_and_restored(monkeypatch: pytest.MonkeyPatch) -> None:
    import dedup

    def fake(*args: object, **kwargs: object) -> str:
        return "replaced"

    monkeypatch.setattr(dedup, "clean", fake)
    assert dedup.clean() == "replaced"
    import dedup.clean.site  # the import system binding the subpackage does not undo the replacement

    assert dedup.clean is fake
    monkeypatch.undo()
    assert dedup.clean.__module__ == "dedup.pipeline.run"


def test_a_hook_with_documents_reads_versions_and_distinct_values_without_their_heavy_imports(tmp_path: Path) -> None:
    # importlib.metadata (for datasketch's version) and numpy.ma (np.unique's first call) cost a small hook
    # ~25 ms together: neither is needed for its answer.
    for name, title, text in (("a", AR_TITLE, AR_TEXT), ("b", AR_COPY_TITLE, AR_COPY_TEXT), ("c", EN_TITLE, EN_TEXT)):
        (tmp_path / f"{name}.txt").write_text(f"{title}\n{text}\n", encoding="utf-8")
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    subprocess.run(["git", "add", "."], cwd=tmp_path, check=True)
    hook = "import sys\nfrom dedup.cli import app\nsys.argv = ['dedup', 'precommit', '-q', 'a.txt', 'b.txt', 'c.txt']\napp()\n"
    modules = loaded_after(hook, tmp_path)
    assert {"dedup.precommit_match", "numpy"} <= modules  # the documents were checked
    assert "importlib.metadata" not in modules
    assert "numpy.ma" not in modules


def fake_datasketch(site: Path, *versions: str) -> Path:
    """A site-packages folder holding a ``datasketch`` package and one dist-info folder per version."""
    (site / "datasketch").mkdir(parents=True)
    (site / "datasketch" / "__init__.py").write_text("", encoding="utf-8")
    for version in versions:
        info = site / f"datasketch-{version}.dist-info"
        info.mkdir()
        header = (
            f"Metadata-Version: 2.1\nName: datasketch\nVersion: {version}\nSummary: x\n\nVersion: 0.0 in the body\n"
        )
        (info / "METADATA").write_text(header, encoding="utf-8")
    return site / "datasketch" / "__init__.py"


def test_datasketch_version_is_read_from_its_dist_info(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.machinery
    import importlib.metadata
    import importlib.util

    from dedup.lsh import datasketch_version

    assert datasketch_version() == importlib.metadata.version("datasketch")  # the installed one
    origin = fake_datasketch(tmp_path / "one", "1.6.5")
    spec = importlib.machinery.ModuleSpec("datasketch", None, origin=str(origin))
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: spec)
    assert datasketch_version() == "1.6.5"
    # Two copies' metadata side by side: importlib.metadata decides, as before.
    spec.origin = str(fake_datasketch(tmp_path / "two", "1.6.5", "2.0.0"))
    monkeypatch.setattr(importlib.metadata, "version", lambda name: f"{name} by importlib.metadata")
    assert datasketch_version() == "datasketch by importlib.metadata"
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    assert datasketch_version() == "?"
