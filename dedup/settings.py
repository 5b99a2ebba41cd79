"""Every setting of a run, each declared once: its default, its help, its range, its flag and its settings-file key.

:class:`Settings` is what a run reads. Each field a user can set carries an :class:`Option` in its metadata, and
the JSONL field names (``--id-field`` and the like, defaults from :class:`dedup.io.FieldNames`) are options too.
:data:`OPTIONS` lists them all: the command line builds its typer options from it (``dedup.cli.common``),
:func:`load_config` checks a settings file against it, and :func:`load_settings` merges the two.

A settings file is ``[tool.dedup]`` in a pyproject.toml, or a dedup.toml, the nearest one found from the working
directory up. Its keys are the long option names with ``_`` or ``-`` (``threshold = 0.6``, ``keep = "earliest"``,
``prefer = ["spa.gov.sa"]``, ``site-min-docs = 5``, ``rules = "x.toml"``); the command line overrides it.

>>> OPTIONS["threshold"].default == Settings().threshold, OPTIONS["threshold"].flag
(True, '--threshold')
>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp()); _ = (d / "dedup.toml").write_text("threshold = 0.7\\nsite-min-docs = 5\\n")
>>> load_config(d)[0]
{'threshold': 0.7, 'site_min_docs': 5}
>>> s = load_settings({"site_min_docs": 4, "ngram": None, "text_field": "body"}, start=d)
>>> s.threshold, s.site_min_docs, s.ngram, s.fields.text
(0.7, 4, 3, 'body')
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

# Light imports only: the command line reads this module to build its options before a command has any work
# (``dedup precommit`` with nothing staged); the evidence, the cluster and normalisation modules bring numpy.
from dedup.io import FieldNames
from dedup.links import DEFAULT_CONTAINMENT, DEFAULT_COVERAGE, DEFAULT_THRESHOLD
from dedup.stage_options import NormalizeOptions, RewriteOptions

KEEP_POLICIES = ("first", "longest", "earliest", "source")
_REWRITE = RewriteOptions()

# Help panels of ``dedup COMMAND --help``, in the order a reader meets them.
MATCHING, CLEANING, READING = "Matching", "Cleaning", "Reading input"


@dataclass(frozen=True)
class Option:
    """How a user gives one setting: on the command line (``flag``) and in a settings file (``key``)."""

    key: str  # the settings-file key; the flag is the key with "-" for "_"
    type: type  # float, int, bool or str; tuple: a list of strings (comma-separated on the command line)
    default: Any
    help: str
    group: str
    short: str | None = None  # a one-letter flag
    min: float | None = None
    max: float | None = None
    choices: tuple[str, ...] = ()
    path: bool = False  # a file path: in a settings file, relative to that file
    command_line: bool = True  # False: a tuning knob of the settings file only
    attr: str | None = None  # the Settings field it sets (None: a JSONL field name, in Settings.fields)

    @property
    def flag(self) -> str:
        return "--" + self.key.replace("_", "-")


def _option(
    default: Any,
    help: str,
    group: str,
    *,
    key: str | None = None,
    type: type | None = None,
    short: str | None = None,
    min: float | None = None,
    max: float | None = None,
    choices: tuple[str, ...] = (),
    path: bool = False,
    command_line: bool = True,
) -> Any:
    """A :class:`Settings` field whose metadata declares its :class:`Option` (key and type default to the field's)."""
    spec = {
        "key": key,
        "type": type,
        "help": help,
        "group": group,
        "short": short,
        "min": min,
        "max": max,
        "choices": choices,
        "path": path,
        "command_line": command_line,
    }
    return field(default=default, metadata={"option": spec})


@dataclass(frozen=True)
class Settings:
    """Every knob of a run. Defaults were chosen by measurement (see README, "Defaults")."""

    threshold: float = _option(
        DEFAULT_THRESHOLD,
        "Jaccard similarity of word shingles that makes a duplicate.",
        MATCHING,
        short="-t",
        min=0.01,
        max=1.0,
    )
    containment: float = _option(
        DEFAULT_CONTAINMENT,
        "Share of the shorter text found in the longer one that also makes a duplicate (trimmed copies).",
        MATCHING,
        min=0.01,
        max=1.0,
    )
    coverage: float = _option(
        DEFAULT_COVERAGE,
        "Share of a document's content words the kept copy must already have for the document to be removed.",
        MATCHING,
        min=0.01,
        max=1.0,
    )
    ngram: int = _option(3, "Words per shingle.", MATCHING, min=1, max=8)
    num_perm: int = _option(128, "MinHash permutations.", MATCHING, min=16, max=1024)
    seed: int = _option(1, "Seed of the MinHash permutations.", MATCHING, command_line=False)
    # LSH proposes pairs at a lower Jaccard than verification accepts, so that containment pairs and heavy
    # rewrites reach the exact check.
    lsh_threshold: float = _option(
        0.1, "Jaccard at which LSH proposes a pair for verification.", MATCHING, command_line=False
    )
    # A document its star left out joins the cluster of a member it duplicates at >= attach_strong when it shares
    # >= attach_floor of its text with the kept copy too (cluster.attach_strays).
    attach_strong: float = 0.6
    attach_floor: float = 0.3
    # Rewrites: a candidate pair below the shingle thresholds is linked when the other evidence agrees
    # (dedup.evidence: one decision, these thresholds; chosen on half of the labelled dev pairs).
    rewrites: bool = _option(
        True,
        "Also link rewrites below the shingle thresholds when words, title, word order and facts agree"
        " (off when --threshold or --containment is above its default).",
        MATCHING,
    )
    rewrite_containment: float = _option(
        _REWRITE.containment, "3-gram containment a rewrite needs at least.", MATCHING, command_line=False
    )
    rewrite_words: float = _option(
        _REWRITE.words,
        "Share of the shorter text's content words a rewrite's other text has.",
        MATCHING,
        command_line=False,
    )
    rewrite_title: float = _option(
        _REWRITE.title, "Title agreement a rewrite needs when both have titles.", MATCHING, command_line=False
    )
    rewrite_ordered: float = _option(
        _REWRITE.ordered, "Share of the shorter text a rewrite has in the same order.", MATCHING, command_line=False
    )
    # The passage route (dedup.evidence.passage_alignment): a rewrite whose order or title test fails is still
    # linked when its passages sit together in the other text and its title agrees this much.
    rewrite_passages: float = _option(
        _REWRITE.local,
        "Share of the shorter text in passages found together in the other, for a reordered or retitled rewrite.",
        MATCHING,
        command_line=False,
    )
    rewrite_passage_title: float = _option(
        _REWRITE.local_title, "Title agreement a reordered or retitled rewrite needs.", MATCHING, command_line=False
    )
    keep: str = _option(
        "first",
        "Which copy survives: first, longest, earliest (date) or source (--prefer).",
        MATCHING,
        choices=KEEP_POLICIES,
    )
    prefer: tuple[str, ...] = _option(
        (),
        "With --keep source: sources to keep first, comma-separated, e.g. spa.gov.sa,reuters.com",
        MATCHING,
        type=tuple,
    )
    templates: bool = _option(
        True, "Tell template siblings (same formula, different facts) from copies and never merge them.", MATCHING
    )
    site_boilerplate: bool = _option(True, "Learn and strip lines each site repeats across its pages.", CLEANING)
    site_min_docs: int = _option(3, "Pages of one site a line must appear on to be its boilerplate.", CLEANING, min=2)
    site_min_share: float = _option(
        0.01, "Share of a site's pages a line must appear on to be its boilerplate.", CLEANING, command_line=False
    )
    rules_file: str | None = _option(
        None,
        "A TOML file of extra line rules (extends/overrides the built-in ones).",
        CLEANING,
        key="rules",
        type=str,
        path=True,
    )
    normalize: NormalizeOptions = NormalizeOptions()  # noqa: RUF009 - frozen, safe to share
    fields: FieldNames = FieldNames()  # noqa: RUF009 - frozen, safe to share
    strict: bool = _option(False, "Stop at the first bad input instead of skipping it.", READING)

    @property
    def rewrite_options(self) -> RewriteOptions:
        """The rewrite decision's thresholds (:mod:`dedup.evidence`). A run with a shingle threshold raised above
        its default asks for closer copies than the defaults find: rewrites are off in it.

        >>> Settings().rewrite_options.enabled, Settings(containment=0.9).rewrite_options.enabled
        (True, False)
        """
        from dedup.evidence import rewrite_options_of

        stricter = self.threshold > DEFAULT_THRESHOLD or self.containment > DEFAULT_CONTAINMENT
        return rewrite_options_of(self, self.rewrites and not stricter)

    def __post_init__(self) -> None:
        if not 0.0 < self.threshold <= 1.0:
            raise ValueError(f"threshold must be in (0, 1], got {self.threshold}")
        if not 0.0 < self.containment <= 1.0:
            raise ValueError(f"containment must be in (0, 1], got {self.containment}")
        if not 0.0 < self.coverage <= 1.0:
            raise ValueError(f"coverage must be in (0, 1], got {self.coverage}")
        if self.keep not in KEEP_POLICIES:
            raise ValueError(f"keep must be one of {', '.join(KEEP_POLICIES)}, got {self.keep!r}")


_FIELD_HELP = {
    "id": "the document id",
    "text": "the text",
    "html": "raw HTML",
    "title": "the title",
    "url": "the URL",
    "date": "the date",
    "source": "the source site",
}
assert set(_FIELD_HELP) == {f.name for f in fields(FieldNames)}


def _options() -> dict[str, Option]:
    out = {}
    for f in fields(Settings):
        spec = dict(f.metadata.get("option", {}))
        if spec:
            key = spec.pop("key") or f.name
            out[key] = Option(key=key, type=spec.pop("type") or type(f.default), default=f.default, attr=f.name, **spec)
    names = FieldNames()
    for name, what in _FIELD_HELP.items():
        key = f"{name}_field"
        out[key] = Option(key, str, getattr(names, name), f"JSONL field holding {what}.", READING)
    return out


OPTIONS: dict[str, Option] = _options()
"""Every option, by settings-file key (``threshold``, ``site_min_docs``, ``rules``, ``id_field``...)."""


class ConfigError(ValueError):
    """A settings file that cannot be read or holds a wrong key or value; the message names the file."""


def _check(path: Path, key: str, value: Any) -> None:
    """Raise :class:`ConfigError` naming the file when ``value`` is not of the option's type.

    A wrong type (``threshold = "high"``) is reported here, with the file, instead of failing later as a
    TypeError deep inside the run.
    """
    kind = OPTIONS[key].type
    if kind is tuple:
        ok = isinstance(value, str) or (isinstance(value, list) and all(isinstance(v, str) for v in value))
        expected = "a string or a list of strings"
    else:
        types: tuple[type, ...] = (int, float) if kind is float else (kind,)
        # bool is an int in Python, but "ngram = true" is a mistake, not 1.
        ok = isinstance(value, types) and (kind is bool or not isinstance(value, bool))
        expected = {float: "a number", int: "an integer", bool: "true or false"}.get(kind, "a string")
    if not ok:
        raise ConfigError(f"{path}: setting {key!r} must be {expected}, got {value!r}")


def load_config(start: str | Path | None = None) -> tuple[dict[str, Any], Path | None]:
    """Settings from the nearest dedup.toml or pyproject.toml with a [tool.dedup] table, and its path."""
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        for name in ("dedup.toml", "pyproject.toml"):
            path = folder / name
            if not path.is_file():
                continue
            if sys.version_info >= (3, 11):  # imported once a settings file is found
                import tomllib
            else:  # pragma: no cover
                import tomli as tomllib
            try:
                data = tomllib.loads(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
                raise ConfigError(f"{path}: cannot read settings ({err})") from None
            table = data if name == "dedup.toml" else data.get("tool", {}).get("dedup")
            if table is None:
                continue
            settings = {key.replace("-", "_"): value for key, value in table.items()}
            unknown = set(settings) - set(OPTIONS)
            if unknown:
                raise ConfigError(f"{path}: unknown dedup settings {sorted(unknown)}")
            for key, value in settings.items():
                _check(path, key, value)
                if OPTIONS[key].path:
                    settings[key] = str((path.parent / value).resolve())
            return settings, path
    return {}, None


def settings_of(values: Mapping[str, Any]) -> Settings:
    """:class:`Settings` from option values by key (defaults for the keys left out).

    >>> settings_of({"prefer": "a.com, b.com", "rules": Path("r.toml"), "id_field": "key"}).prefer
    ('a.com', 'b.com')
    """
    kwargs: dict[str, Any] = {}
    names: dict[str, str] = {}
    for key, value in values.items():
        option = OPTIONS[key]
        if option.attr is None:
            names[key.removesuffix("_field")] = value
        elif option.type is tuple and isinstance(value, str):
            kwargs[option.attr] = tuple(item.strip() for item in value.split(",") if item.strip())
        elif option.type is tuple:
            kwargs[option.attr] = tuple(value)
        elif option.path:
            kwargs[option.attr] = str(value) if value else None
        else:
            kwargs[option.attr] = value
    return Settings(**kwargs, fields=FieldNames(**names))


def load_settings(given: Mapping[str, Any], start: str | Path | None = None) -> Settings:
    """Settings from the settings file found from ``start`` (default: the working directory) up, overridden by
    ``given``: option values by key, ``None`` for an option not given."""
    from_file, path = load_config(start)
    chosen = {key: value for key, value in given.items() if value is not None}
    try:
        return settings_of({**from_file, **chosen})
    except ValueError as err:
        # Options are range-checked on the command line already, so a bad value not given there came from the
        # settings file: name it, or the user has no idea where "keep must be one of ..." comes from.
        if path is not None and any(str(err).startswith(key) for key in from_file if key not in chosen):
            raise ConfigError(f"{path}: {err}") from None
        raise
