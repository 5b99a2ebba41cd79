"""The ``dedup-check`` hook of .pre-commit-hooks.yaml, run by the real pre-commit tool on real commits."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import AR_OTHER_TEXT, AR_OTHER_TITLE, AR_TEXT, AR_TITLE, EN_COPY_TEXT, EN_COPY_TITLE, EN_TEXT, EN_TITLE

ROOT = Path(__file__).resolve().parent.parent

pytest.importorskip("pre_commit", reason="pre-commit is not installed (pip install 'news-dedup[test]')")
yaml = pytest.importorskip("yaml", reason="PyYAML (a pre-commit dependency) is not installed")
if shutil.which("git") is None:
    pytest.skip("git is not installed", allow_module_level=True)


def _dedup() -> str:
    script = Path(sys.executable).with_name("dedup")
    if not script.exists():
        pytest.skip("the dedup console script is not installed next to this Python")
    return str(script)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A corpus repository with two committed stories and the hook installed.

    The hook definition is this repository's own .pre-commit-hooks.yaml entry, run as a local hook with the
    installed ``dedup`` (pre-commit would otherwise build a virtualenv from PyPI for ``language: python``).
    """
    [hook] = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    hook = {**hook, "language": "system", "entry": f"{_dedup()} precommit"}
    hook["args"] = ["--baseline", ".dedup-baseline.json"]
    repo = tmp_path / "corpus-repo"
    (repo / "news").mkdir(parents=True)
    (repo / ".pre-commit-config.yaml").write_text(yaml.safe_dump({"repos": [{"repo": "local", "hooks": [hook]}]}))
    (repo / "news" / "reuters.txt").write_text(f"{EN_TITLE}\n{EN_TEXT}\n", encoding="utf-8")
    (repo / "news" / "saba.txt").write_text(f"{AR_TITLE}\n{AR_TEXT}\n", encoding="utf-8")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "corpus")
    run = subprocess.run(
        [sys.executable, "-m", "pre_commit", "install"], cwd=repo, env=_env(tmp_path), capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr
    return repo


def _env(tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }


def git(repo: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=repo, env=_env(repo.parent), capture_output=True, text=True, check=check)


def test_hook_blocks_a_staged_copy_and_passes_once_removed(repo: Path) -> None:
    (repo / "news" / "marinelink.txt").write_text(f"{EN_COPY_TITLE}\n{EN_COPY_TEXT}\n", encoding="utf-8")
    (repo / "news" / "adengad.txt").write_text(f"{AR_OTHER_TITLE}\n{AR_OTHER_TEXT}\n", encoding="utf-8")
    git(repo, "add", "news")
    blocked = git(repo, "commit", "-m", "new stories", check=False)
    assert blocked.returncode != 0
    said = blocked.stdout + blocked.stderr  # git shows the hook's output on stderr
    assert "duplicate: news/marinelink.txt ~ news/reuters.txt (similarity" in said
    assert "duplicate: news/adengad" not in said  # a different story on the same event is not a copy
    git(repo, "rm", "-q", "--cached", "news/marinelink.txt")
    (repo / "news" / "marinelink.txt").unlink()
    passed = git(repo, "commit", "-m", "new story", check=False)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "news/adengad.txt" in git(repo, "ls-files").stdout


def test_two_staged_copies_of_each_other_are_caught(repo: Path) -> None:
    (repo / "news" / "a.txt").write_text(f"{AR_OTHER_TITLE}\n{AR_OTHER_TEXT}\n", encoding="utf-8")
    (repo / "news" / "b.txt").write_text(f"{AR_OTHER_TITLE}\n{AR_OTHER_TEXT}\n", encoding="utf-8")
    git(repo, "add", "news")
    blocked = git(repo, "commit", "-m", "two copies", check=False)
    assert blocked.returncode != 0
    assert "duplicate: news/b.txt ~ news/a.txt (similarity 1.00)" in blocked.stdout + blocked.stderr


def test_baseline_accepts_known_duplicates(repo: Path) -> None:
    (repo / "news" / "marinelink.txt").write_text(f"{EN_COPY_TITLE}\n{EN_COPY_TEXT}\n", encoding="utf-8")
    git(repo, "add", "news")
    assert git(repo, "commit", "-m", "copy", check=False).returncode != 0
    adopt = subprocess.run(
        [_dedup(), "precommit", "--write-baseline", ".dedup-baseline.json"],
        cwd=repo,
        env=_env(repo.parent),
        capture_output=True,
        text=True,
    )
    assert adopt.returncode == 0 and "recorded 1 known duplicate pairs" in adopt.stderr
    git(repo, "add", ".dedup-baseline.json")
    accepted = git(repo, "commit", "-m", "copy, known", check=False)
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
