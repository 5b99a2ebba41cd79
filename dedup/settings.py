"""Every knob of a run (TEMPORARY: replaced by the CLI helper's settings module at merge)."""

from __future__ import annotations

from dataclasses import dataclass

from dedup.cluster import DEFAULT_CONTAINMENT, DEFAULT_COVERAGE, DEFAULT_THRESHOLD
from dedup.io.records import FieldNames
from dedup.normalize import NormalizeOptions

KEEP_POLICIES = ("first", "longest", "earliest", "source")


@dataclass(frozen=True)
class Settings:
    """Every knob of a run. Defaults were chosen by measurement (see README, "Defaults")."""

    threshold: float = DEFAULT_THRESHOLD
    containment: float = DEFAULT_CONTAINMENT
    coverage: float = DEFAULT_COVERAGE
    ngram: int = 3
    num_perm: int = 128
    seed: int = 1
    # LSH proposes pairs at a lower Jaccard than verification accepts, so that containment pairs and heavy
    # rewrites reach the exact check.
    lsh_threshold: float = 0.1
    # A document its star left out joins the cluster of a member it duplicates at >= attach_strong when it shares
    # >= attach_floor of its text with the kept copy too (cluster.attach_strays).
    attach_strong: float = 0.6
    attach_floor: float = 0.3
    keep: str = "first"
    prefer: tuple[str, ...] = ()
    templates: bool = True  # tell template siblings from copies (never merge them)
    site_boilerplate: bool = True
    site_min_docs: int = 3
    site_min_share: float = 0.01
    rules_file: str | None = None
    normalize: NormalizeOptions = NormalizeOptions()  # noqa: RUF009 - frozen, safe to share
    fields: FieldNames = FieldNames()  # noqa: RUF009 - frozen, safe to share
    strict: bool = False

    def __post_init__(self) -> None:
        if not 0.0 < self.threshold <= 1.0:
            raise ValueError(f"threshold must be in (0, 1], got {self.threshold}")
        if not 0.0 < self.containment <= 1.0:
            raise ValueError(f"containment must be in (0, 1], got {self.containment}")
        if self.keep not in KEEP_POLICIES:
            raise ValueError(f"keep must be one of {', '.join(KEEP_POLICIES)}, got {self.keep!r}")
