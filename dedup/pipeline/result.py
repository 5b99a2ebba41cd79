"""What a scan returns: its documents, clusters of duplicates and template-sibling links."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from dedup.clean import LearnedLine
from dedup.cluster import TEMPLATE, Cluster, Link
from dedup.document import DocInfo
from dedup.errors import InputProblem
from dedup.settings import Settings


@dataclass
class ScanResult:
    """Documents of a run, clusters of duplicates (two or more members) and template-sibling links."""

    documents: Sequence[DocInfo]  # a list, or a scan's dedup.pipeline.table.DocTable
    clusters: list[Cluster]
    links: list[Link]
    problems: list[InputProblem] = field(default_factory=list)
    learned: list[LearnedLine] = field(default_factory=list)
    settings: Settings = field(default_factory=Settings)
    # Similarity of every LSH candidate pair, verified or not (for the report's histogram).
    candidate_similarities: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.float32))

    def dropped(self) -> list[tuple[int, int, int, float]]:
        """``(document, cluster number, kept document, similarity)`` for every redundant copy."""
        out = []
        for k, cluster in enumerate(self.clusters, start=1):
            for member, sim in cluster.members[1:]:
                out.append((member, k, cluster.keep, sim))
        return out

    @property
    def template_links(self) -> list[Link]:
        return [link for link in self.links if link.relation == TEMPLATE]
