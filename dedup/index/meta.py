"""The settings record of an index: what its fingerprints and buckets depend on, and how it decides.

An index is written once and read by many runs, on many machines, by several versions of dedup. Each of them must
fingerprint as the index did (n-gram, permutations, seed, hash scheme, normalisation: checked by fingerprinting a
probe text) and decide as ``scan`` does with the same settings (the candidate threshold its buckets are banded
for, the Jaccard and containment thresholds, the template test and the coverage rule). So all of it is recorded
when the index is made and compared on every open: an index made with other settings is refused, in one line
naming each difference, rather than silently deciding otherwise.

Format 4 stores each entry's content words (for the coverage rule), bands for the scan's
candidate threshold, files a long document under its excerpt windows too (:func:`dedup.lsh.excerpt_windows`:
their signatures follow the document's), so that a story inside a round-up is found as a scan finds it, and keeps
the copies a stream removed, each pointing at the document kept for it, so that a later document joins that
cluster through them as a scan attaches a stray. Format 5 (this version) files a removed copy only under the
bucket keys its kept document lacks, and finds it through that document for the others (SQLite: an index on
``copy_of``); :func:`upgraded_meta` makes a format-3 or format-4 index format 5 (removed copies filed under all their
keys are still found). A format-1 index (dedup 0.1.0: banded for a candidate threshold of 0.3, no content words) or format-2 index (no
excerpt windows) is refused with a message that says how to rebuild it: its buckets cannot find what scan finds.

>>> [p.split(":")[0] for p in IndexSettings(ngram=5).problems(IndexSettings())]
['ngram', 'probe']
>>> IndexSettings().problems(IndexSettings(coverage=0.9))
['coverage: index 0.9, this run 0.75']
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, fields
from typing import Any

from dedup.cluster import VerifyOptions
from dedup.evidence import RewriteOptions, rewrite_options_of
from dedup.fingerprint import SCHEME, Fingerprinter
from dedup.io import InputError
from dedup.lsh import datasketch_version, lsh_params
from dedup.normalize import NormalizeOptions, normalize
from dedup.settings import Settings
from dedup.version import __version__

FORMAT_VERSION = 5
# Settings an index and a run must agree on: fingerprints and buckets (format to probe), and the decision.
FINGERPRINT_FIELDS = ("format", "scheme", "ngram", "num_perm", "seed", "normalize", "probe")
DECISION_FIELDS = (
    "lsh_threshold", "threshold", "containment", "coverage", "templates", "attach_strong", "attach_floor",
    "rewrites", "rewrite_containment", "rewrite_words", "rewrite_title", "rewrite_ordered",
    "rewrite_passages", "rewrite_passage_title",
)  # fmt: skip
COMPATIBLE_FIELDS = FINGERPRINT_FIELDS + DECISION_FIELDS
# Fingerprinted when an index is made and on every open: any change to tokenising, shingling, normalisation or
# permutations between dedup versions changes this text's signature, so an old index is never silently mixed.
PROBE_TEXT = "أعلنَ الرئيسُ يوم ١٤ ديسمبر في دمشق عن خطة جديدة. The port strike entered its third day, 2024."
REBUILD = "dedup index add YOUR_DOCUMENTS --index NEW_INDEX"
_DEFAULTS = Settings()


class IndexMismatch(InputError):
    """The index was built with settings that make its fingerprints or its decisions differ from this run's."""


# Settings added after their format was fixed: a record without them is read at their defaults.
ADDED_WITHIN_FORMAT = ("rewrite_passages", "rewrite_passage_title")


@dataclass(frozen=True, slots=True)
class IndexSettings:
    """What an index's fingerprints depend on and how it decides; stored in the index, compared on every open.

    The defaults are :class:`dedup.settings.Settings`' (see :meth:`from_settings`). ``scheme`` is datasketch's
    hash scheme: 2.x ``affine32`` values differ from the 1.x ``legacy`` ones.

    >>> s = IndexSettings()
    >>> s.lsh_threshold == Settings().lsh_threshold, s.bands_rows
    (True, (64, 2))
    """

    ngram: int = _DEFAULTS.ngram
    num_perm: int = _DEFAULTS.num_perm
    seed: int = _DEFAULTS.seed
    scheme: str = SCHEME
    normalize: str = _DEFAULTS.normalize.signature()
    lsh_threshold: float = _DEFAULTS.lsh_threshold  # the candidate threshold: what the buckets are banded for
    threshold: float = _DEFAULTS.threshold
    containment: float = _DEFAULTS.containment
    coverage: float = _DEFAULTS.coverage
    templates: bool = _DEFAULTS.templates
    attach_strong: float = _DEFAULTS.attach_strong  # the stray rule (dedup.cluster.attach_strays)
    attach_floor: float = _DEFAULTS.attach_floor
    rewrites: bool = _DEFAULTS.rewrite_options.enabled  # rewrites below the shingle thresholds (dedup.evidence)
    rewrite_containment: float = _DEFAULTS.rewrite_containment
    rewrite_words: float = _DEFAULTS.rewrite_words
    rewrite_title: float = _DEFAULTS.rewrite_title
    rewrite_ordered: float = _DEFAULTS.rewrite_ordered
    rewrite_passages: float = _DEFAULTS.rewrite_passages
    rewrite_passage_title: float = _DEFAULTS.rewrite_passage_title
    format: int = FORMAT_VERSION
    probe: str = ""  # see PROBE_TEXT; computed when empty

    def __post_init__(self) -> None:
        if not self.probe:
            object.__setattr__(self, "probe", fingerprint_probe(self))

    @classmethod
    def from_settings(cls, settings: Settings) -> IndexSettings:
        """The index settings of a run's :class:`dedup.settings.Settings`: an index decides as ``scan`` does."""
        return cls(
            ngram=settings.ngram,
            num_perm=settings.num_perm,
            seed=settings.seed,
            normalize=settings.normalize.signature(),
            lsh_threshold=settings.lsh_threshold,
            threshold=settings.threshold,
            containment=settings.containment,
            coverage=settings.coverage,
            templates=settings.templates,
            attach_strong=settings.attach_strong,
            attach_floor=settings.attach_floor,
            rewrites=settings.rewrite_options.enabled,
            rewrite_containment=settings.rewrite_containment,
            rewrite_words=settings.rewrite_words,
            rewrite_title=settings.rewrite_title,
            rewrite_ordered=settings.rewrite_ordered,
            rewrite_passages=settings.rewrite_passages,
            rewrite_passage_title=settings.rewrite_passage_title,
        )

    @property
    def bands_rows(self) -> tuple[int, int]:
        return lsh_params(self.lsh_threshold, self.num_perm)

    @property
    def verify_options(self) -> VerifyOptions:
        """The thresholds a candidate pair is verified on, as a scan with these settings verifies it."""
        return VerifyOptions(self.threshold, self.containment, coverage=self.coverage)

    @property
    def rewrite_options(self) -> RewriteOptions:
        """The rewrite decision as a scan with these settings takes it (:mod:`dedup.evidence`)."""
        return rewrite_options_of(self, self.rewrites)

    @property
    def normalize_options(self) -> NormalizeOptions:
        """The normalisation the index's texts went through (``normalize`` names the steps that are on)."""
        names = set(self.normalize.split(",")) if self.normalize else set()
        return NormalizeOptions(**{f.name: f.name in names for f in fields(NormalizeOptions)})

    def to_meta(self) -> dict[str, str]:
        bands, rows = self.bands_rows
        return {
            **{k: str(v) for k, v in asdict(self).items()},
            "bands": str(bands),
            "rows": str(rows),
            "dedup_version": __version__,
            "datasketch_version": datasketch_version(),
        }

    @classmethod
    def from_meta(cls, meta: dict[str, str], where: str) -> IndexSettings:
        """The settings an index records; a format-1 or unknown-format index is refused (one line)."""
        form = meta.get("format")
        if form == "1":
            raise IndexMismatch(
                f"{where}: an index of format 1 (dedup 0.1.0) finds candidates at Jaccard 0.3 and has no content "
                f"words for the coverage rule, so it cannot decide as scan does; build a new one: {REBUILD}"
            )
        if form == "2":
            raise IndexMismatch(
                f"{where}: an index of format 2 has no excerpt windows, so it misses a story inside a round-up that "
                f"scan finds; build a new one: {REBUILD}"
            )
        if form is not None and form != str(FORMAT_VERSION):
            raise IndexMismatch(
                f"{where}: index format {form} is not one this dedup ({__version__}) reads (format {FORMAT_VERSION})"
            )
        # Settings added within a format (the passage route of the rewrite decision) are read at their defaults
        # when an older record lacks them: the index stores what they need (titles and texts), and a run whose
        # settings differ is refused by `check` with the setting named.
        meta = {**{k: str(getattr(cls(), k)) for k in ADDED_WITHIN_FORMAT}, **meta}
        try:
            values: dict[str, Any] = {f.name: _parse(f.type, meta[f.name]) for f in fields(cls)}
            return cls(**values)
        except (KeyError, ValueError):
            raise InputError(f"{where}: not a dedup index, or its settings record is damaged") from None

    def problems(self, index: IndexSettings) -> list[str]:
        """How this run's settings (``self``) differ from the index's, one string per setting."""
        return [
            f"{name}: index {getattr(index, name)}, this run {getattr(self, name)}"
            for name in COMPATIBLE_FIELDS
            if getattr(self, name) != getattr(index, name)
        ]

    def check(self, index: IndexSettings, where: str) -> None:
        """Raise :class:`IndexMismatch` (one line) when the index cannot take this run's fingerprints, or would
        decide otherwise than this run."""
        problems = self.problems(index)
        if problems:
            hint = (
                " (datasketch 1.x legacy hash values differ from 2.x affine32)"
                if any(p.startswith("scheme") for p in problems)
                else ""
            )
            if problems == [p for p in problems if p.startswith("probe")]:
                hint = " (this dedup version tokenises or normalises differently from the one that built it)"
            raise IndexMismatch(
                f"{where}: index built with incompatible settings ({'; '.join(problems)}){hint}; "
                "use the index's settings or build a new index"
            )


def upgraded_meta(meta: dict[str, str]) -> dict[str, str]:
    """What changes in a format-3 or format-4 settings record to make it format 5 (nothing for another format):
    format 4 adds removed copies (each pointing at the document kept for it), the stray rule's and the rewrite
    decision's settings, at their defaults. A format-3 index holds no removed copies and has its titles, so it is
    format 4 as it stands; format 5 changes only how new removed copies are filed (the backend adds what it needs).

    >>> upgraded_meta({"format": "3"})["format"], upgraded_meta({"format": "4"}), upgraded_meta({"format": "5"})
    ('5', {'format': '5'}, {})
    """
    if meta.get("format") == "4":
        return {"format": str(FORMAT_VERSION)}
    if meta.get("format") != "3":
        return {}
    new = IndexSettings()
    names = ("attach_strong", "attach_floor", "rewrites", *(f"rewrite_{k}" for k in ("containment", "words", "title")))
    return {"format": str(FORMAT_VERSION), **{k: str(getattr(new, k)) for k in (*names, "rewrite_ordered")}}


def _parse(kind: Any, raw: str) -> Any:
    """A settings-record value (a string) as the field's type (annotations are strings here)."""
    kind = getattr(kind, "__name__", kind)
    if kind == "bool":
        if raw not in ("True", "False"):
            raise ValueError(raw)
        return raw == "True"
    return float(raw) if kind == "float" else int(raw) if kind == "int" else raw


def fingerprint_probe(settings: IndexSettings) -> str:
    """A short digest of :data:`PROBE_TEXT`'s fingerprint under ``settings`` with this version of dedup."""
    options = settings.normalize_options
    try:
        fp = Fingerprinter(num_perm=settings.num_perm, ngram=settings.ngram, seed=settings.seed)
    except ValueError as err:
        raise InputError(f"index settings: {err}") from None
    signature, _ = fp.fingerprint_one(normalize(PROBE_TEXT, options).split())
    return hashlib.blake2b(signature.astype("<u4").tobytes(), digest_size=6).hexdigest()
