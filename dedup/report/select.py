"""What the HTML report shows in full, what it lists one line each, and what it only counts.

A page for a million documents cannot show every cluster with its side-by-side views (about 1 GB), and a
reviewer does not read them all: they look first at the clusters whose decisions carry the most weight or the
most doubt. So the clusters are ranked three ways, and taken in turn from each ranking (the one that has spent
least of the budget of full detail chooses next) while the budget lasts (:func:`plan_report`):

* **biggest**: most copies removed (one wrong link there costs most);
* **nearest the similarity threshold**: the copy whose similarity to the kept one is closest above the line
  (the larger of Jaccard minus ``threshold`` and containment minus ``containment``; a copy that joined through
  another member and has no link of its own to the kept copy is measured against ``threshold``, and may be
  below it);
* **nearest the coverage line**: the copy of which the kept one says the least (coverage minus ``coverage``):
  the closest call of the rule that nothing is removed that the kept copy does not say.

Template siblings (never merged) are ranked most similar first: the closer a pair, the closer it came to being
merged. The clusters and pairs left out of the full part are listed one line each, in the same order of
interest, while a second budget lasts; whatever is left after that is counted (by size and weakest similarity).
``full=True`` (``dedup scan --html-full``) shows everything in full. Costs are estimated from word counts before
any text is read again, since the texts are read again for the documents shown in full only.

>>> from dedup.document import DocInfo
>>> from dedup.cluster import Cluster, Link
>>> from dedup.pipeline import ScanResult
>>> docs = [DocInfo(c, "", None, None, c, None, None, 100, c) for c in "abcde"]
>>> clusters = [Cluster(0, [(0, 1.0), (1, 0.95), (2, 0.9)]), Cluster(3, [(3, 1.0), (4, 0.52)])]
>>> links = [Link(0, 1, 0.95, 0.95), Link(0, 2, 0.9, 0.9), Link(3, 4, 0.52, 0.6, b_in_a=0.8)]
>>> plan = plan_report(ScanResult(docs, clusters, links))
>>> [(k, plan.why[k]) for k in plan.full]
[(0, ['biggest']), (1, ['similarity', 'coverage'])]
>>> round(plan.margins[1].similarity, 2), round(plan.margins[1].coverage, 2)
(0.05, 0.05)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from dedup.cluster import DUPLICATE, Cluster, Link
from dedup.document import DocInfo
from dedup.pipeline import ScanResult

# Bytes of full detail (side-by-side views of clusters and template pairs) and of one-line rows a page may hold:
# with the page's fixed parts, a report stays under 20 MB and opens in a few seconds whatever the corpus size.
FULL_BUDGET = 10_000_000
ROWS_BUDGET = 3_000_000
TEMPLATE_SHARE = 0.2  # of the full budget, for template-sibling pairs
# In a cluster shown in full, side-by-side views for its least similar copies only, and the members listed up to
# a cap: one boilerplate page copied 50,000 times must not take the whole page.
MAX_DIFFS_PER_CLUSTER = 40
MAX_MEMBERS_PER_CLUSTER = 500
# Estimated bytes of the page per word of a text shown side by side (Arabic letters are 2 bytes in UTF-8, and
# a word with its space and markup averages about 11), per member line and per one-line row.
BYTES_PER_WORD = 12
BYTES_PER_MEMBER = 900
BYTES_PER_DIFF = 700
BYTES_PER_ROW = 300
REASONS = ("biggest", "similarity", "coverage")


@dataclass(frozen=True, slots=True)
class Margins:
    """How close a cluster's closest call is to each line (``None`` when no member has the measure)."""

    similarity: float | None  # the smallest margin of a copy's similarity over its threshold
    coverage: float | None  # the smallest margin of a copy's coverage by the kept copy over ``coverage``
    weakest: float  # the lowest similarity of a copy to the kept one


@dataclass(slots=True)
class Plan:
    """Indexes (into ``result.clusters`` and ``result.template_links``) of what the page shows, and how."""

    full: list[int] = field(default_factory=list)  # clusters in full, in the order chosen
    why: dict[int, list[str]] = field(default_factory=dict)  # cluster index -> reasons it is of interest
    rows: list[int] = field(default_factory=list)  # clusters listed one line each
    rest: list[int] = field(default_factory=list)  # clusters only counted
    templates_full: list[int] = field(default_factory=list)
    templates_rows: list[int] = field(default_factory=list)
    templates_rest: int = 0
    margins: list[Margins] = field(default_factory=list)  # per cluster
    everything: bool = False  # full=True: nothing held back, no caps inside clusters
    complete: bool = False  # everything is in full, whether asked for or because it all fitted
    capped: bool = False  # some cluster in full has copies without a side-by-side view
    estimate_all: int = 0  # estimated bytes of the page with everything in full

    def shown_members(self, cluster: Cluster) -> tuple[list[int], set[int]]:
        """Positions (in ``cluster.members``, kept copy excluded) of the members listed, and of those among
        them shown side by side: the least similar first, as far as the caps allow."""
        positions = list(range(1, len(cluster.members)))
        if self.everything:
            return positions, set(positions)
        by_doubt = sorted(positions, key=lambda i: (cluster.members[i][1], i))
        listed = set(by_doubt[:MAX_MEMBERS_PER_CLUSTER])
        return [i for i in positions if i in listed], set(by_doubt[:MAX_DIFFS_PER_CLUSTER])


def pair_key(a: int, b: int) -> tuple[int, int]:
    """A pair of document indexes in one order, whichever way round it was linked."""
    return (a, b) if a < b else (b, a)


def cluster_margins(result: ScanResult) -> list[Margins]:
    """Each cluster's :class:`Margins`, from the verified links between its kept copy and its members."""
    s = result.settings
    keeps = {c.keep for c in result.clusters}
    by_pair: dict[tuple[int, int], Link] = {
        pair_key(link.a, link.b): link
        for link in result.links
        if link.relation == DUPLICATE and (link.a in keeps or link.b in keeps)
    }
    out = []
    for cluster in result.clusters:
        sims: list[float] = []
        covs: list[float] = []
        for m, sim in cluster.members[1:]:
            link = by_pair.get(pair_key(cluster.keep, m))
            if link is None:  # joined through another member, or an exact copy of one
                sims.append(sim - s.threshold)
                continue
            sims.append(max(link.jaccard - s.threshold, link.containment - s.containment))
            covered = link.a_in_b if m == link.a else link.b_in_a  # coverage of the member by the kept copy
            covs.append(covered - s.coverage)
        weakest = min((sim for _, sim in cluster.members[1:]), default=1.0)
        out.append(Margins(min(sims, default=None), min(covs, default=None), weakest))
    return out


def cluster_cost(cluster: Cluster, docs: Sequence[DocInfo], everything: bool = False) -> int:
    """Estimated bytes of ``cluster`` in full (member lines, side-by-side views of the capped members)."""
    kept = docs[cluster.keep].words
    members = cluster.members[1:]
    if not everything:
        members = sorted(members, key=lambda ms: ms[1])[:MAX_MEMBERS_PER_CLUSTER]
    cost = BYTES_PER_MEMBER * (len(members) + 1)
    for n, (m, _) in enumerate(members):
        if everything or n < MAX_DIFFS_PER_CLUSTER:
            cost += BYTES_PER_DIFF + BYTES_PER_WORD * (kept + docs[m].words)
    return cost


def template_cost(link: Link, docs: Sequence[DocInfo]) -> int:
    return 2 * BYTES_PER_MEMBER + BYTES_PER_DIFF + BYTES_PER_WORD * (docs[link.a].words + docs[link.b].words)


def _round_robin(rankings: Sequence[Sequence[int]]) -> Iterable[tuple[int, int]]:
    """``(ranking number, item)`` taking one from each ranking in turn, skipping items already given."""
    seen: set[int] = set()
    pos = [0] * len(rankings)
    while any(p < len(r) for p, r in zip(pos, rankings, strict=True)):
        for n, ranking in enumerate(rankings):
            while pos[n] < len(ranking) and ranking[pos[n]] in seen:
                pos[n] += 1
            if pos[n] < len(ranking):
                seen.add(ranking[pos[n]])
                yield n, ranking[pos[n]]
                pos[n] += 1


def plan_report(
    result: ScanResult, full: bool = False, budget: int = FULL_BUDGET, rows_budget: int = ROWS_BUDGET
) -> Plan:
    """Choose what the page shows (see the module docstring)."""
    docs, clusters = result.documents, result.clusters
    templates = result.template_links
    margins = cluster_margins(result)
    plan = Plan(margins=margins, everything=full)
    costs = [cluster_cost(c, docs, everything=full) for c in clusters]
    tcosts = [template_cost(link, docs) for link in templates]
    plan.estimate_all = (
        sum(cluster_cost(c, docs, everything=True) for c in clusters) if not full else sum(costs)
    ) + sum(tcosts)
    size_rank = sorted(range(len(clusters)), key=lambda k: (-len(clusters[k].members), k))
    sim_rank = sorted(
        (k for k in range(len(clusters)) if margins[k].similarity is not None),
        key=lambda k: (margins[k].similarity, k),
    )
    cov_rank = sorted(
        (k for k in range(len(clusters)) if margins[k].coverage is not None),
        key=lambda k: (margins[k].coverage, k),
    )
    rankings = (size_rank, sim_rank, cov_rank)
    template_rank = sorted(range(len(templates)), key=lambda t: (-templates[t].similarity, t))
    if full:
        plan.full = size_rank
        plan.why = {k: [] for k in size_rank}
        plan.templates_full = template_rank
        plan.complete = True
        return plan
    # Template pairs get their share first; what they leave goes to the clusters.
    spent = 0
    for t in template_rank:
        if spent + tcosts[t] > budget * TEMPLATE_SHARE:
            break
        plan.templates_full.append(t)
        spent += tcosts[t]
    left = budget - spent
    # Each ranking takes its turn by bytes, not by count: the ranking that has spent least chooses next, so that
    # a few big clusters cannot take the place of many small close calls.
    used = [0] * len(rankings)
    pos = [0] * len(rankings)
    chosen: set[int] = set()
    while left >= budget * 0.02:
        open_ = [n for n in range(len(rankings)) if pos[n] < len(rankings[n])]
        if not open_:
            break
        n = min(open_, key=lambda n: (used[n], n))
        k = rankings[n][pos[n]]
        pos[n] += 1
        if k in chosen or costs[k] > left:  # one cluster too big for what is left: smaller ones may still fit
            continue
        chosen.add(k)
        plan.full.append(k)
        plan.why[k] = [REASONS[n]]
        used[n] += costs[k]
        left -= costs[k]
    # A cluster also carries the other reasons it stands high for: within the first N of another ranking, N
    # being what each ranking contributed on average.
    depth = -(-len(plan.full) // len(REASONS))
    for n, ranking in enumerate(rankings):
        for k in ranking[:depth]:
            if k in plan.why and REASONS[n] not in plan.why[k]:
                plan.why[k].append(REASONS[n])
    cluster_rows = int(rows_budget * (1 - TEMPLATE_SHARE) if templates else rows_budget) // BYTES_PER_ROW
    for _, k in _round_robin((*rankings, range(len(clusters)))):
        if k in chosen:
            continue
        (plan.rows if len(plan.rows) < cluster_rows else plan.rest).append(k)
    template_rows = (rows_budget - len(plan.rows) * BYTES_PER_ROW) // BYTES_PER_ROW
    shown = set(plan.templates_full)
    for t in template_rank:
        if t in shown:
            continue
        if len(plan.templates_rows) < template_rows:
            plan.templates_rows.append(t)
        else:
            plan.templates_rest += 1
    plan.capped = any(len(clusters[k].members) - 1 > MAX_DIFFS_PER_CLUSTER for k in plan.full)
    plan.complete = not (plan.rows or plan.rest or plan.templates_rows or plan.templates_rest or plan.capped)
    if plan.complete:  # it all fitted: biggest first, as a page without choices reads best
        plan.full.sort(key=lambda k: (-len(clusters[k].members), k))
    return plan


def full_ids(result: ScanResult, plan: Plan) -> set[str]:
    """Ids of the documents shown side by side under ``plan``: the only texts the page needs."""
    docs = result.documents
    ids: set[str] = set()
    for k in plan.full:
        cluster = result.clusters[k]
        _, diffs = plan.shown_members(cluster)
        if diffs:
            ids.add(docs[cluster.keep].id)
        ids.update(docs[cluster.members[i][0]].id for i in diffs)
    templates = result.template_links
    for t in plan.templates_full:
        ids.update((docs[templates[t].a].id, docs[templates[t].b].id))
    return ids
