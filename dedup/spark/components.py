"""Connected components of the verified links, in DataFrames: the alternating large-star / small-star algorithm.

GraphFrames' jar cannot be fetched from the package registries, so components are computed here, as Kiveris et
al. ("Connected Components in MapReduce and Beyond", SoCC 2014) describe, in O(log² n) rounds of two shuffles
each. Edges are ``(src, dst)`` pairs of document numbers:

* *large-star*: each node links every larger neighbour to the smallest node of its neighbourhood (itself
  included);
* *small-star*: each node links itself and every smaller neighbour to the smallest of them.

Both keep each component connected and move every edge towards the component's smallest node; when every node
has one edge, to a root that has none, each component is a star around its smallest member, its label. Each
round's edges are checkpointed (reliably when the context has a checkpoint directory, else locally) so the
query plan does not grow with the rounds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

try:
    from pyspark.sql import functions as F
except ImportError:  # the spark extra is not installed: dedup.spark.scan says so before anything runs here
    F = None

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

MAX_ROUNDS = 64  # O(log^2 n) rounds: tens at most for any real graph
# Links the driver finishes itself: each round is a few shuffles (seconds of scheduling even on a small graph),
# and a scan collects every link for its report anyway; a graph this size takes the driver ~1 s.
DRIVER_EDGES = 1 << 21


def _checkpoint(df: DataFrame) -> DataFrame:
    # Lazy: the convergence test that follows computes it once, and later rounds read it instead of the plan.
    if df.sparkSession.sparkContext.getCheckpointDir():
        return df.checkpoint(eager=False)
    return df.localCheckpoint(eager=False)


def _large_star(edges: DataFrame) -> DataFrame:
    both = edges.union(edges.select(F.col("dst").alias("src"), F.col("src").alias("dst")))
    smallest = both.groupBy("src").agg(F.least(F.min("dst"), F.col("src")).alias("m"))
    return (
        both.join(smallest, "src")
        .where(F.col("dst") > F.col("src"))
        .select(F.col("dst").alias("src"), F.col("m").alias("dst"))
        .distinct()
    )


def _small_star(edges: DataFrame) -> DataFrame:
    # Each edge oriented from its larger end to its smaller one.
    down = edges.select(F.greatest("src", "dst").alias("src"), F.least("src", "dst").alias("dst"))
    smallest = down.groupBy("src").agg(F.min("dst").alias("m"))  # every src here has a smaller neighbour
    linked = down.join(smallest, "src")
    return (
        linked.select(F.col("dst").alias("src"), "m")
        .union(linked.select("src", "m"))
        .where(F.col("src") != F.col("m"))
        .select("src", F.col("m").alias("dst"))
        .distinct()
    )


def _settled(edges: DataFrame) -> bool:
    """Every node has one edge, and it leads to a node with none: the edges are stars around their roots."""
    fanout = edges.groupBy("src").agg(F.count(F.lit(1)).alias("n"))
    forked = fanout.where(F.col("n") > 1).select("src")
    chained = edges.select(F.col("dst").alias("src")).distinct().join(fanout.select("src"), "src")
    return forked.union(chained).limit(1).count() == 0


def connected_components(edges: DataFrame) -> DataFrame:
    """``(node, comp)`` for every node of ``edges`` (columns ``a``, ``b``), ``comp`` the smallest node of its
    component."""
    current = edges.select(F.least("a", "b").alias("src"), F.greatest("a", "b").alias("dst")).distinct()
    for _ in range(MAX_ROUNDS):
        current = _checkpoint(_small_star(_large_star(current)))
        if _settled(current):
            break
    else:  # pragma: no cover - would take a graph of astronomical size
        raise RuntimeError("connected components did not converge")
    roots = current.select(F.col("dst").alias("node"), F.col("dst").alias("comp")).distinct()
    return current.select(F.col("src").alias("node"), F.col("dst").alias("comp")).union(roots)


def small_graph_components(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(nodes, comps)`` of the graph of edges ``a[i]``-``b[i]``, on the driver: each node, and the smallest node
    of its component (the labels :func:`connected_components` gives).

    >>> nodes, comps = small_graph_components(np.array([5, 7, 2]), np.array([7, 9, 3]))
    >>> nodes.tolist(), comps.tolist()
    ([2, 3, 5, 7, 9], [2, 2, 5, 5, 5])
    """
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components as label

    nodes, inverse = np.unique(np.concatenate([a, b]), return_inverse=True)
    n, m = nodes.size, len(a)
    graph = coo_matrix((np.ones(m, dtype=np.int8), (inverse[:m], inverse[m:])), shape=(n, n))
    count, labels = label(graph, directed=False)
    smallest = np.full(count, n, dtype=np.int64)
    np.minimum.at(smallest, labels, np.arange(n))  # nodes are sorted: the first of a component is its smallest
    return nodes, nodes[smallest[labels]]
