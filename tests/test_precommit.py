"""``dedup precommit``: the ``dedup-check`` hook of .pre-commit-hooks.yaml run by the real pre-commit tool on real
commits, and the gate's decision and cache through the Python API (:mod:`dedup.precommit`)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import (
    AR_COPY_TEXT,
    AR_COPY_TITLE,
    AR_OTHER_TEXT,
    AR_OTHER_TITLE,
    AR_TEXT,
    AR_TITLE,
    EN_COPY_TEXT,
    EN_COPY_TITLE,
    EN_OTHER_TEXT,
    EN_OTHER_TITLE,
    EN_TEXT,
    EN_TITLE,
    EN_UNRELATED_TEXT,
    EN_UNRELATED_TITLE,
    write_txt,
)

from dedup.clean import SiteBoilerplate
from dedup.pipeline import Pipeline
from dedup.precommit import baseline_pairs, check_staged, new_pairs
from dedup.precommit_cache import CACHE_DIR, CACHE_FILE, FingerprintCache, cache_key
from dedup.precommit_match import _candidates, site_masks
from dedup.settings import Settings

ROOT = Path(__file__).resolve().parent.parent

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
    pytest.importorskip("pre_commit", reason="pre-commit is not installed (pip install 'news-dedup[test]')")
    yaml = pytest.importorskip("yaml", reason="PyYAML (a pre-commit dependency) is not installed")
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


def test_all_files_says_files_checked_and_keeps_the_first_copy_in_git_order(repo: Path) -> None:
    (repo / "news" / "marinelink.txt").write_text(f"{EN_COPY_TITLE}\n{EN_COPY_TEXT}\n", encoding="utf-8")
    git(repo, "add", "news")
    git(repo, "commit", "-q", "--no-verify", "-m", "a copy, committed past the hook")
    run = subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", "--all-files"],
        cwd=repo,
        env=_env(repo.parent),
        capture_output=True,
        text=True,
    )
    assert run.returncode == 1  # both committed: the first in the repository's order is kept, as `dedup check` does
    assert "duplicate: news/reuters.txt ~ news/marinelink.txt (similarity" in run.stdout
    assert "in the 3 files checked" in run.stdout and "staged" not in run.stdout


def test_the_cache_is_made_on_a_commit_and_git_ignores_it(repo: Path) -> None:
    (repo / "news" / "adengad.txt").write_text(f"{AR_OTHER_TITLE}\n{AR_OTHER_TEXT}\n", encoding="utf-8")
    git(repo, "add", "news")
    assert git(repo, "commit", "-m", "new story", check=False).returncode == 0
    assert (repo / CACHE_DIR / CACHE_FILE).is_file()
    assert "/.dedup-cache/" in (repo / ".git" / "info" / "exclude").read_text().splitlines()
    assert git(repo, "status", "--porcelain").stdout == ""
    files, _ = FingerprintCache(repo / CACHE_DIR / CACHE_FILE, _key()).load(num_perm=128)
    assert sorted(files) == ["news/adengad.txt", "news/reuters.txt", "news/saba.txt"]


# -- the decision and the cache, through the Python API -------------------------------------------------------------


@pytest.fixture
def corpus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A committed corpus (no hook installed), the working directory for the test."""
    repo = tmp_path / "corpus"
    write_txt(repo / "news" / "reuters.txt", EN_TITLE, EN_TEXT)
    write_txt(repo / "news" / "saba.txt", AR_TITLE, AR_TEXT)
    write_txt(repo / "news" / "budget.txt", EN_UNRELATED_TITLE, EN_UNRELATED_TEXT)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "corpus")
    monkeypatch.chdir(repo)
    return repo


def _key(**settings: object) -> str:
    pipeline = Pipeline(Settings(**settings), workers=1)
    return cache_key(pipeline.settings, pipeline.cleaner, pipeline.fingerprinter, "")


def _check(files: list[str], cache: bool = True, **settings: object) -> tuple[list[list[tuple]], int]:
    found = check_staged(Pipeline(Settings(**settings), workers=1), files, cache=cache)
    return [[pair[:2] for pair in pairs] for pairs in found.duplicates], found.read


def test_only_new_or_changed_files_are_read(corpus: Path) -> None:
    write_txt(corpus / "news" / "okaz.txt", AR_COPY_TITLE, AR_COPY_TEXT)
    git(corpus, "add", "news")
    assert _check(["news/okaz.txt"]) == ([[("news/okaz.txt", "news/saba.txt")]], 4)  # no cache yet
    assert _check(["news/okaz.txt"]) == ([[("news/okaz.txt", "news/saba.txt")]], 0)  # the staged file too
    write_txt(corpus / "news" / "okaz.txt", AR_OTHER_TITLE, AR_OTHER_TEXT)
    git(corpus, "add", "news")
    assert _check(["news/okaz.txt"]) == ([], 1)
    assert _check(["news/okaz.txt"], ngram=4) == ([], 4)  # other settings: another fingerprint
    shutil.rmtree(corpus / CACHE_DIR)  # safe to delete
    assert _check(["news/okaz.txt"]) == ([], 4)


def test_the_cache_gives_what_reading_every_file_gives(corpus: Path) -> None:
    write_txt(corpus / "wire" / "marinelink.txt", EN_COPY_TITLE, EN_COPY_TEXT)
    write_txt(corpus / "wire" / "okaz.txt", AR_COPY_TITLE, AR_COPY_TEXT)
    git(corpus, "add", "wire")
    staged = ["wire/marinelink.txt", "wire/okaz.txt"]
    expected = [[("wire/marinelink.txt", "news/reuters.txt")], [("wire/okaz.txt", "news/saba.txt")]]
    assert _check(staged, cache=False)[0] == expected
    assert _check(staged)[0] == expected
    assert _check(staged)[0] == expected
    (corpus / CACHE_DIR / CACHE_FILE).write_bytes(b"not a database")  # damaged: rebuilt, never an error
    assert _check(staged) == (expected, 5)


def test_a_committed_copy_is_kept_and_the_coverage_rule_decides_the_rest(corpus: Path) -> None:
    brief = "\n\n".join(EN_TEXT.split("\n\n")[1:3])  # two paragraphs of the committed wire story
    write_txt(corpus / "news" / "brief.txt", EN_TITLE, brief)
    roundup = "\n\n".join([AR_TEXT, EN_OTHER_TEXT, EN_UNRELATED_TEXT.replace("annual", "yearly")])
    write_txt(corpus / "news" / "roundup.txt", "Round-up", roundup)
    git(corpus, "add", "news")
    found, _ = _check(["news/brief.txt", "news/roundup.txt"])
    # The brief is inside the committed story: reported. The round-up contains committed stories: it says more
    # than they do, so it is new, and they stay (a committed document is never reported when it is not checked).
    assert found == [[("news/brief.txt", "news/reuters.txt")]]


def test_among_staged_copies_the_earlier_is_kept(corpus: Path) -> None:
    write_txt(corpus / "new" / "a.txt", AR_OTHER_TITLE, AR_OTHER_TEXT)
    write_txt(corpus / "new" / "b.txt", AR_OTHER_TITLE, AR_OTHER_TEXT)
    write_txt(corpus / "new" / "c.txt", EN_OTHER_TITLE, EN_OTHER_TEXT)
    git(corpus, "add", "new")
    assert _check(["new/a.txt", "new/b.txt", "new/c.txt"])[0] == [[("new/b.txt", "new/a.txt")]]


def test_untracked_files_and_arabic_file_names(corpus: Path) -> None:
    write_txt(corpus / "أخبار" / "عدن.txt", AR_TITLE, AR_TEXT)  # committed under an Arabic name
    git(corpus, "add", "أخبار")
    git(corpus, "commit", "-q", "-m", "more")
    write_txt(corpus / "new.txt", AR_COPY_TITLE, AR_COPY_TEXT)  # never added: a manual check of a draft
    found, _ = _check(["new.txt"])
    assert found == [[("new.txt", "news/saba.txt"), ("new.txt", "أخبار/عدن.txt")]]


def test_site_boilerplate_learned_later_refreshes_cached_fingerprints(corpus: Path) -> None:
    footer = "نشرة المثال الصباحية، الطبعة الثانية"
    stories = [(AR_TITLE, AR_TEXT), (EN_TITLE, EN_TEXT), (EN_OTHER_TITLE, EN_OTHER_TEXT)]
    for k, (title, text) in enumerate(stories[:2]):
        write_txt(corpus / "site" / f"{k}.txt", title, f"{text}\n{footer}")
    git(corpus, "add", "site")
    git(corpus, "commit", "-q", "-m", "two pages")
    assert _check(["site/0.txt"])[1] == 5  # the footer is on 2 pages: not boilerplate yet (3 needed)
    (corpus / "site" / "2.txt").write_text(f"{stories[2][0]}\n{stories[2][1]}\n{footer}\n", encoding="utf-8")
    git(corpus, "add", "site")
    assert _check(["site/2.txt"])[1] == 3  # the new page, and the two whose footer is now boilerplate
    scanned = Pipeline(Settings(), workers=1).scan(["news", "site"])
    _, cached = FingerprintCache(corpus / CACHE_DIR / CACHE_FILE, _key()).load(num_perm=128)
    assert dict(zip(cached.ids, cached.digests)) == {d.id: d.digest for d in scanned.documents}  # to the byte


def test_baseline_pairs_are_what_the_hook_reports_and_any_known_pair_accepts(corpus: Path) -> None:
    write_txt(corpus / "news" / "marinelink.txt", EN_COPY_TITLE, EN_COPY_TEXT)
    write_txt(corpus / "news" / "okaz.txt", AR_COPY_TITLE, AR_COPY_TEXT)
    git(corpus, "add", "news")
    git(corpus, "commit", "-q", "-m", "copies")
    pairs = baseline_pairs(Pipeline(Settings(), workers=1))
    # Copies of each other, all committed: the first in the repository's order is kept.
    assert sorted(p[:2] for p in pairs) == [("news/reuters.txt", "news/marinelink.txt"),
                                             ("news/saba.txt", "news/okaz.txt")]  # fmt: skip
    known = {frozenset(p[:2]) for p in pairs}
    found = [[("x.txt", "news/okaz.txt", 0.9), ("x.txt", "news/saba.txt", 0.8)]]
    assert new_pairs(found, known) == [("x.txt", "news/okaz.txt", 0.9)]
    assert new_pairs([[*found[0], ("x.txt", "news/saba.txt", 0.8)], [("news/saba.txt", "news/okaz.txt", 1.0)]],
                     known) == [("x.txt", "news/okaz.txt", 0.9)]  # fmt: skip


def test_site_masks_match_the_learner_page_by_page() -> None:
    rng = np.random.default_rng(5)
    pages = [rng.integers(0, 40, size=rng.integers(1, 12)).astype(np.uint64) for _ in range(300)]
    sources = [f"site{k % 3}" if k % 7 else None for k in range(len(pages))]
    learner = SiteBoilerplate(min_docs=3)
    learner.observe_batch([(src, h[1:], None) for src, h in zip(sources, pages)])
    masks = site_masks(learner, sources, np.concatenate(pages), np.array([h.size for h in pages]))
    assert masks.tolist() == np.concatenate([learner.boilerplate_mask(s, h) for s, h in zip(sources, pages)]).tolist()


def test_a_few_checked_documents_get_the_candidates_banding_everything_gives(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(3)
    sigs = rng.integers(0, 2**32, size=(300, 128), dtype=np.uint64).astype(np.uint32)
    for a, b, share in [(5, 200, 1.0), (7, 8, 0.5), (9, 250, 0.2), (100, 101, 0.6)]:  # copies, some partial
        sigs[b, : int(128 * share)] = sigs[a, : int(128 * share)]
    reps, query = np.arange(300), np.zeros(300, dtype=bool)
    query[[5, 9, 8, 150]] = True
    few = _candidates(sigs, reps, query, Settings())
    monkeypatch.setattr("dedup.precommit_match._FEW", 0)
    banded = _candidates(sigs, reps, query, Settings())
    assert few.tolist() == banded.tolist() == [[5, 200], [7, 8], [9, 250]]


def test_the_hook_manifest_is_valid() -> None:
    pytest.importorskip("pre_commit", reason="pre-commit is not installed (pip install 'news-dedup[test]')")
    run = subprocess.run(
        [sys.executable, "-m", "pre_commit", "validate-manifest", str(ROOT / ".pre-commit-hooks.yaml")],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stdout + run.stderr
