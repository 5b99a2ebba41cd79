"""The records clustering works on: verified links, clusters, what a pair is, and the verification defaults.

Kept apart from :mod:`dedup.cluster` (which re-exports them all) so that modules building on the clustering can
import them without importing it.

>>> Link(0, 1, 0.4, 0.8).similarity
0.8
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dedup.evidence import Evidence

DUPLICATE = "duplicate"
TEMPLATE = "template"
# A pair past the thresholds whose relation (duplicate, template sibling or fragments) is not decided yet: a scan
# that reports no template siblings decides it only for the links the clustering reads (dedup.pipeline.lazy).
UNCHECKED = "unchecked"
# Verification defaults of scans and indexes, chosen on the labelled pairs (README, "Defaults, and why").
DEFAULT_THRESHOLD = 0.5
DEFAULT_CONTAINMENT = 0.55
# Share of a document's content words the kept copy must have (in passages) for it to be removed: every labelled
# DUP pair of the dev month is covered at 0.77 or more in one direction (README, "Defaults, and why").
DEFAULT_COVERAGE = 0.75
COPY = "copy"  # a member and the kept copy cover each other
CONTAINED = "contained"  # the kept copy covers the member, not the other way round


@dataclass(frozen=True, slots=True)
class VerifyOptions:
    """Thresholds applied to every candidate pair on its exact shingle sets."""

    threshold: float = DEFAULT_THRESHOLD  # Jaccard
    containment: float = DEFAULT_CONTAINMENT  # overlap over the smaller set
    # Containment on tiny sets is noise (a 10-shingle brief is "contained" in many articles).
    min_containment_shingles: int = 40
    # A text with fewer shingles (a brief: a release's lead sentence alone) is still judged as a rewrite when it is
    # contained at ``containment`` and has this many: linked only on the order route, with both titles agreeing
    # (:func:`dedup.cluster.verify`). Under it, a text is a headline and a line, compared with nothing.
    min_short_shingles: int = 15
    coverage: float = DEFAULT_COVERAGE  # what the kept copy must say of a document for it to be removed


@dataclass(frozen=True, slots=True)
class Link:
    """A verified pair: indexes into the run's documents, exact similarities, and what the pair is."""

    a: int
    b: int
    jaccard: float
    containment: float
    relation: str = DUPLICATE
    a_in_b: float = 1.0  # coverage of a by b (dedup.fingerprint.coverage)
    b_in_a: float = 1.0
    # A rewrite (below the shingle thresholds, linked on other evidence: dedup.evidence): what decided it.
    evidence: Evidence | None = None

    @property
    def similarity(self) -> float:
        """The larger of Jaccard and containment: the score the pair qualified on."""
        return max(self.jaccard, self.containment)


@dataclass(slots=True)
class Cluster:
    """A kept document and its duplicates; ``members`` includes the kept one (similarity 1.0) first."""

    keep: int
    members: list[tuple[int, float]] = field(default_factory=list)
    siblings: list[tuple[int, int, float]] = field(default_factory=list)  # template siblings (a, b, similarity)
    contained: set[int] = field(default_factory=set)  # members the kept copy covers but that do not cover it

    def relation(self, member: int) -> str:
        """How ``member`` relates to the kept copy: :data:`COPY` or :data:`CONTAINED`."""
        return CONTAINED if member in self.contained else COPY
