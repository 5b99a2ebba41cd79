"""Band, group and verify on Spark: candidate pairs from LSH band keys, then the local engine's verification.

* **Band and group** (the largest shuffle): the band keys (:func:`dedup.lsh.band_hashes`, the bands and rows of
  :func:`dedup.lsh.lsh_params`) of every distinct text and of its excerpt windows (:func:`dedup.lsh.excerpt_windows`)
  are exploded to ``(band, key, row)`` rows and grouped; a bucket's rows, in the local engine's order, pair with
  their next :data:`MAX_BUCKET` rows, exactly the pairs :func:`dedup.lsh.candidate_pairs` makes (with the owners
  as groups), with no Python in the loop. Pairs of rows sharing too few signature values are dropped
  (:func:`dedup.lsh.drop_chance_collisions`), and the rest become pairs of documents as
  :func:`dedup.lsh.owner_pairs` makes them.
* **Verify**, cheapest test first, each on the pairs that passed the one before, so that the big columns travel
  only for them: the exact shingle sets, then the template and coverage tests (:func:`dedup.cluster.verify` for
  both steps).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dedup.settings import Settings
from dedup.spark.stages import (
    LINK_SCHEMA,
    PAIR_SCHEMA,
    SCORE_SCHEMA,
    AnalysedCache,
    chance_filter,
    verify_links,
    verify_shingles,
)

try:
    from pyspark.sql import functions as F
    from pyspark.sql.pandas.types import from_arrow_schema
except ImportError:  # the spark extra is not installed: dedup.spark.scan says so before anything runs here
    F = from_arrow_schema = None

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

# dedup.lsh.candidate_pairs' max_bucket: a bucket member pairs with its next 256 (tests/test_spark.py checks it)
MAX_BUCKET = 256


def banded_rows(reps: DataFrame) -> DataFrame:
    """What is banded: each distinct text's signature (``w`` = 0) and its excerpt windows' (``w`` = 1, 2, ...),
    columns ``owner``, ``w``, ``sig``, ``bands`` and ``week``."""
    docs = reps.select(F.col("idx").alias("owner"), F.lit(0).alias("w"), "sig", "bands", "week")
    windows = reps.select(F.col("idx").alias("owner"), "week", F.posexplode("windows").alias("k", "win")).select(
        "owner", (F.col("k") + 1).alias("w"), F.col("win.sig").alias("sig"), F.col("win.bands").alias("bands"), "week"
    )
    return docs.unionByName(windows)


def row_pairs(rows: DataFrame, week_blocking: bool = False) -> DataFrame:
    """Distinct pairs of banded rows ``(a, b)`` (structs ``win``, ``owner``, ``w``) that share a band key, as
    :func:`dedup.lsh.candidate_pairs` finds them with ``groups`` (the owners), less the pairs that
    :func:`dedup.lsh.owner_pairs` drops (two windows; a window and its own document).

    A bucket lists its rows in the local engine's order (documents by number, then windows by document and
    window number); rows of one owner in a bucket count once, the first; each row pairs with its next
    :data:`MAX_BUCKET`. With ``week_blocking`` a bucket is also split by publication week: a document's keys carry
    its week and the next, so documents a week or less apart still meet (undated ones meet undated ones only).
    """
    keyed = rows.select("owner", "w", "week", F.posexplode("bands").alias("band", "key"))
    block = ["band", "key"]
    week = [F.first("week").alias("week")] if week_blocking else []
    firsts = keyed.groupBy(*block, "owner").agg(F.min("w").alias("w"), *week)
    if week_blocking:
        # The week is the owner's, so an owner's first row in a bucket is the same in both of its weeks: the
        # keys are doubled after this first aggregation, not before it.
        weeks = F.when(F.col("week").isNull(), F.array(F.lit(-1))).otherwise(F.array(F.col("week"), F.col("week") + 1))
        firsts = firsts.select(*block, "owner", "w", F.explode(weeks).alias("blk"))
        block.append("blk")
    member = F.struct((F.col("w") > 0).alias("win"), "owner", "w")
    buckets = firsts.groupBy(*block).agg(F.array_sort(F.collect_list(member)).alias("m")).where(F.size("m") > 1)
    starts = buckets.select("m", F.explode(F.sequence(F.lit(0), F.size("m") - 2)).alias("i"))
    last = F.least(F.col("i") + MAX_BUCKET, F.size("m") - 1)
    pairs = starts.select("m", "i", F.explode(F.sequence(F.col("i") + 1, last)).alias("j"))
    pairs = pairs.select(F.col("m")[F.col("i")].alias("a"), F.col("m")[F.col("j")].alias("b"))
    return pairs.where(~(F.col("a.win") & F.col("b.win")) & (F.col("a.owner") != F.col("b.owner"))).distinct()


def candidate_pairs(reps: DataFrame, num_perm: int, week_blocking: bool = False) -> DataFrame:
    """Distinct ``(a, b)``, ``a < b``, of documents of ``reps`` whose banded rows (signature or excerpt windows)
    share a band key and at least :data:`dedup.lsh.MIN_SHARED_VALUES` signature values: the pairs
    :func:`dedup.pipeline.verify.find_links` verifies."""
    rows = banded_rows(reps)
    return likely_pairs(rows, row_pairs(rows, week_blocking), num_perm)


def likely_pairs(rows: DataFrame, pairs: DataFrame, num_perm: int) -> DataFrame:
    """The document pairs ``(a, b)``, ``a < b``, of the row ``pairs`` (:func:`row_pairs` of the banded ``rows``)
    that share at least :data:`dedup.lsh.MIN_SHARED_VALUES` signature values (the second half of
    :func:`candidate_pairs`: a benchmark counts the row pairs, kept, then these, without banding twice)."""
    sigs = rows.select("owner", "w", "sig")
    side = lambda name: sigs.select(  # noqa: E731
        F.col("owner").alias(f"{name}_owner"), F.col("w").alias(f"{name}_w"), F.col("sig").alias(f"sig_{name}")
    )
    flat = pairs.select(
        F.col("a.owner").alias("a_owner"), F.col("a.w").alias("a_w"), F.col("b.owner").alias("b_owner"),
        F.col("b.w").alias("b_w"),
    )  # fmt: skip
    joined = flat.join(side("a"), ["a_owner", "a_w"]).join(side("b"), ["b_owner", "b_w"])

    def by_signature(batches):
        for batch in batches:
            yield chance_filter(batch, num_perm)

    both = joined.select(F.col("a_owner").alias("a"), F.col("b_owner").alias("b"), "sig_a", "sig_b")
    likely = both.mapInArrow(by_signature, from_arrow_schema(PAIR_SCHEMA))
    return likely.select(F.least("a", "b").alias("a"), F.greatest("a", "b").alias("b")).distinct()


def _side(reps: DataFrame, side: str, columns: dict[str, str]) -> DataFrame:
    return reps.select(F.col("idx").alias(side), *(F.col(c).alias(f"{alias}_{side}") for c, alias in columns.items()))


def _both(pairs: DataFrame, reps: DataFrame, columns: dict[str, str]) -> DataFrame:
    return pairs.join(_side(reps, "a", columns), "a").join(_side(reps, "b", columns), "b")


def verified(pairs: DataFrame, reps: DataFrame, s: Settings) -> tuple[DataFrame, DataFrame]:
    """``(links, scores)`` of the candidate ``pairs`` (:func:`candidate_pairs`): links as :data:`dedup.spark.stages.LINK_SCHEMA`, and every
    pair that reached the shingle test with its similarity (the report's histogram), as the local engine finds
    them. ``reps`` has ``idx``, ``sig``, ``shingles``, ``cwords`` and ``text``."""

    def by_shingles(batches):
        for batch in batches:
            yield verify_shingles(batch, s)

    def by_text(batches):
        cache = AnalysedCache()  # one per task: pairs come sorted by their first document
        for batch in batches:
            yield verify_links(batch, s, cache)

    scores = _both(pairs, reps, {"shingles": "sh"}).mapInArrow(by_shingles, from_arrow_schema(SCORE_SCHEMA))
    passed = scores.where("passed").select("a", "b")
    links = (
        _both(passed, reps, {"shingles": "sh", "cwords": "w", "text": "t", "title": "ti"})
        .sortWithinPartitions("a")
        .mapInArrow(by_text, from_arrow_schema(LINK_SCHEMA))
    )
    return links, scores.select("a", "b", "score")
