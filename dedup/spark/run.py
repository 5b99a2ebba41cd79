"""A scan on Spark, stage by stage, returning the :class:`~dedup.pipeline.ScanResult` a local scan returns.

read (:mod:`dedup.spark.read`) → page-clean (:func:`dedup.spark.stages.clean_batch`) → learn site boilerplate (an
exact count per site and line, :mod:`dedup.spark.site`) → strip it and fingerprint
(:func:`dedup.spark.stages.fingerprint_batch`) → exact copies (grouped by digest; the best-ranked is the
representative) → band, group and verify the representatives (:mod:`dedup.spark.match`) → connected components
of the links (:mod:`dedup.spark.components`) → star clusters in each component (:mod:`dedup.spark.clusters`).

Documents, links and clusters come back to the driver (a :class:`ScanResult` holds them all, as the reports
need); the heavy data (texts, shingle sets, signatures) stays on the executors.
"""

from __future__ import annotations

import contextlib
import math
import os
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa

from dedup.clean import Cleaner, LineRules
from dedup.cluster import Cluster, Link, expand_exact, keep_order
from dedup.document import DocInfo
from dedup.errors import InputError, InputProblem
from dedup.io.ranges import survey
from dedup.pipeline.result import ScanResult
from dedup.settings import Settings
from dedup.spark.clusters import CLUSTER_SCHEMA, cluster_component, cluster_of, links_of
from dedup.spark.components import DRIVER_EDGES, connected_components, small_graph_components
from dedup.spark.match import candidate_pairs, verified
from dedup.spark.read import UNIT_SCHEMA, Unit, check_inputs, list_units, split_units, units_table
from dedup.spark.session import session, unavailable
from dedup.spark.site import LearnedBoilerplate, learn, learned_refs, with_texts
from dedup.spark.stages import (
    FP_SCHEMA,
    PAGE_SCHEMA,
    READ_SCHEMA,
    document_index,
    fingerprint_batch,
    read_and_clean,
    stage_state,
)

try:
    from pyspark import StorageLevel
    from pyspark.sql import Window
    from pyspark.sql import functions as F
    from pyspark.sql.pandas.types import from_arrow_schema
except ImportError:  # the spark extra is not installed: scan() says so before anything runs
    StorageLevel = Window = F = from_arrow_schema = None

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

WEEK_BLOCKING = "spark.dedup.weekBlocking"  # spark-submit --conf spark.dedup.weekBlocking=true
BYTES_PER_TASK = 8 << 20  # input bytes per read-and-clean task
# Representatives per partition at least (with more partitions than the shuffle's, verification's joins shuffle
# the pairs to them and reuse the representatives' partitioning).
REPS_PER_PARTITION = 2000
# Documents per shuffle partition at most while banding and verifying (1M banded in 64 partitions without
# blocking, not in 16; with week blocking in 128, not in 64).
DOCS_PER_MATCH_PARTITION = 7_500
INFO_COLUMNS = ("id", "title", "source", "date", "origin", "path", "root", "words", "digest")


@dataclass
class Prepared:
    """A scan up to banding: every document's report data, the representatives of distinct texts (persisted),
    their exact copies, the learned boilerplate lines and the input problems."""

    infos: list[DocInfo]
    reps: DataFrame
    copies: DataFrame
    learned: list
    problems: list[InputProblem]


class SparkUnavailable(ValueError):
    """The Spark engine cannot run here (pyspark, pyarrow or Java missing); the message says what to install."""


def scan(
    inputs: Sequence[str],
    settings: Settings = Settings(),
    *,
    spark: SparkSession | None = None,
    master: str | None = None,
    on_problem: Callable[[InputProblem], None] | None = None,
    driver_edges: int = DRIVER_EDGES,
    week_blocking: bool | None = None,
) -> ScanResult:
    """Scan files and folders (JSONL, Parquet, WARC, text, HTML) on Spark: the clusters a local scan finds.

    ``spark`` is the session to use; without it the active one, else one started on ``master`` (and stopped at
    the end). Connected components of more than ``driver_edges`` links are found by DataFrame rounds, of fewer
    on the driver. ``week_blocking`` (default: the Spark setting ``spark.dedup.weekBlocking``, false) compares
    only documents published a week or less apart (see :func:`dedup.spark.match.row_pairs`): fewer chance
    candidates on a big crawl, and a copy republished months later is no longer found.
    """
    check_inputs(inputs)
    with _session(spark, master) as active:
        if week_blocking is None:
            week_blocking = active.conf.get(WEEK_BLOCKING, "false").lower() == "true"
        return SparkScan(active, settings, driver_edges, week_blocking).run(inputs, on_problem)


@contextlib.contextmanager
def _session(spark: SparkSession | None, master: str | None) -> Iterator[SparkSession]:
    """``spark``, else the active session, else a new one on ``master``: a session started here is stopped here;
    one that was running (a notebook's, spark-submit's) is left running."""
    why = unavailable()
    if why is not None:
        raise SparkUnavailable(why)
    from pyspark.sql import SparkSession

    own = spark is None and SparkSession.getActiveSession() is None
    spark = spark if spark is not None else session(master)
    try:
        yield spark
    finally:
        if own:
            spark.stop()


class SparkPipeline:
    """What :func:`dedup.remove.remove` reads of a :class:`dedup.pipeline.Pipeline`, with the scan on Spark: the
    decisions are Spark's (the same as the local engine's), the output and manifest are written here by the local
    writer, so removals and manifest are the local ones (the inputs must be readable from the driver)."""

    def __init__(
        self,
        settings: Settings,
        master: str | None = None,
        on_problem: Callable[[InputProblem], None] | None = None,
        spark: SparkSession | None = None,
    ) -> None:
        self.settings = settings
        self.cleaner = Cleaner(LineRules.load(settings.rules_file))
        self._master, self._on_problem, self._spark = master, on_problem, spark

    def scan(self, inputs: Sequence[str]) -> ScanResult:
        check_inputs(inputs)
        with _session(self._spark, self._master) as active:
            run = SparkScan(active, self.settings)
            result = run.run(inputs, self._on_problem)
        self.cleaner.site = run.site  # records of text, HTML and WARC documents are written cleaned, as scanned
        return result


def _schema(arrow_schema):
    return from_arrow_schema(arrow_schema)


class SparkScan:
    """One run: each stage a method, DataFrames persisted where two stages read them."""

    def __init__(
        self, spark: SparkSession, settings: Settings, driver_edges: int = DRIVER_EDGES, week_blocking: bool = False
    ) -> None:
        self.spark = spark
        self.week_blocking = week_blocking
        self.settings = settings
        # Connected components of at most this many links are found on the driver (see dedup.spark.components).
        self.driver_edges = driver_edges
        self.rules = LineRules.load(settings.rules_file)  # loaded here: executors need not see the file
        self.partitions = int(spark.conf.get("spark.sql.shuffle.partitions"))
        self._persisted: list[DataFrame] = []
        self.site: LearnedBoilerplate | None = None  # once learned
        self._read: DataFrame | None = None  # the read and page-cleaned rows, cached until fingerprinted

    def _keep(self, df: DataFrame, disk: bool = False) -> DataFrame:
        """``df`` persisted until :meth:`release`; on disk only with ``disk`` (the widest rows, each read two or
        three times in sequence: held in memory beside the next one being built, they ran a 4 GB local heap out
        at 100k documents, however small their partitions)."""
        self._persisted.append(df.persist(StorageLevel.DISK_ONLY if disk else StorageLevel.MEMORY_AND_DISK))
        return df

    def run(self, inputs: Sequence[str], on_problem: Callable[[InputProblem], None] | None) -> ScanResult:
        try:
            prepared = self.prepare(inputs)
            links, scores, clusters = self.match(prepared)
        finally:
            self.release()
        problems = prepared.problems
        if on_problem is not None:
            for p in problems:
                on_problem(p)
        return ScanResult(prepared.infos, clusters, links, problems, prepared.learned, self.settings, scores)

    def prepare(self, inputs: Sequence[str]) -> Prepared:
        """Read, clean, learn site boilerplate, fingerprint, group exact copies: everything before banding."""
        s = self.settings
        problems: list[InputProblem] = []
        pages, offsets, skipped = self.read_and_clean(inputs, problems)
        site, learned = self.learn_site(pages, offsets, skipped) if s.site_boilerplate else (None, [])
        self.site = site
        fp = self.fingerprint(pages, offsets, skipped, site)
        infos = self.documents(fp)  # fp is cached now: the cleaned pages (the widest rows) are needed no more
        self._drop(self._read)
        reps, copies = self.exact_copies(fp, len(infos))
        reps.count(), copies.count()  # both cached now: the fingerprints they came from are needed no more
        self._drop(fp)
        problems += [
            InputProblem(i.origin or i.id, "empty document after cleaning; not compared") for i in infos if i.words == 0
        ]
        return Prepared(infos, reps, copies, learned, problems)

    def match(self, prepared: Prepared) -> tuple[list[Link], np.ndarray, list[Cluster]]:
        """Band, verify, find components and clusters: the links (sorted), every candidate's similarity (in pair
        order, as the local engine lists them) and the clusters."""
        s = self.settings
        # Banding collects each bucket's rows in one task: with a local master's few shuffle partitions that
        # ran out of memory at 1M documents (BENCHMARKS.md, "Week blocking at 1M"); more, smaller ones do not.
        parts = match_partitions(len(prepared.infos), self.partitions)
        if parts > self.partitions:
            self.spark.conf.set("spark.sql.shuffle.partitions", str(parts))
        pairs = candidate_pairs(prepared.reps, s.num_perm, self.week_blocking)
        links_df, scores_df = verified(pairs, prepared.reps, s)
        scores_df, links_df = self._keep(scores_df), self._keep(links_df)
        links = sorted(links_of(links_df.toArrow()), key=lambda k: (k.a, k.b))
        scores = scores_df.toArrow().sort_by([("a", "ascending"), ("b", "ascending")]).column("score").to_numpy()
        clusters = self.clusters(links_df, links, prepared.reps, prepared.copies, prepared.infos)
        return links, scores.astype(np.float32), clusters

    def _drop(self, df: DataFrame | None) -> None:
        if df is not None and any(d is df for d in self._persisted):
            self._persisted = [d for d in self._persisted if d is not df]
            df.unpersist()

    def release(self) -> None:
        """Unpersist what the run cached."""
        for df in self._persisted:
            df.unpersist()
        self._persisted = []

    # -- read, clean, learn, fingerprint ----------------------------------------------------------------------

    def read_and_clean(
        self, inputs: Sequence[str], problems: list[InputProblem]
    ) -> tuple[DataFrame, dict[int, int], dict[int, np.ndarray]]:
        """Page-cleaned documents (persisted), each unit's first document number, and each unit's problem rows."""
        units = list_units(inputs, problems, os.getcwd())
        fields = self.settings.fields
        if not units:
            return self.spark.createDataFrame([], _schema(PAGE_SCHEMA)), {}, {}
        units = split_units(units, BYTES_PER_TASK, self._survey)
        table = self.spark.createDataFrame(
            [tuple(r.values()) for r in units_table(units).to_pylist()], _schema(UNIT_SCHEMA)
        )
        state = stage_state(self.settings, self.rules)
        # Read and page-clean in the same task: no shuffle of the raw input, and only its cleaned pages cached.
        read = table.repartition(self._partitions(units)).mapInArrow(
            lambda b: read_and_clean(state, b, fields), _schema(READ_SCHEMA)
        )
        rows = self._read = self._keep(read, disk=True)
        bad = rows.where("problem is not null").select("unit", "seq", "where", "problem").toArrow()
        bad = bad.sort_by([("unit", "ascending"), ("seq", "ascending")]).to_pylist()
        found = [(r["unit"], r["seq"], InputProblem(r["where"], r["problem"])) for r in bad]
        if found and self.settings.strict:
            first = found[0][2]
            raise InputError(str(InputProblem(first.where, first.message.split("; ")[0])))
        problems.extend(p for _, _, p in found)
        skipped: dict[int, list[int]] = defaultdict(list)
        for unit, seq, _ in found:
            skipped[unit].append(seq)
        pages = rows.where("problem is null").drop("where", "problem")
        counts = {r["unit"]: r["count"] for r in pages.select("unit").groupBy("unit").count().toArrow().to_pylist()}
        offsets, first = {}, 0
        for u in units:
            offsets[u.number] = first
            first += counts.get(u.number, 0)
        return pages, offsets, {u: np.asarray(seqs, dtype=np.int64) for u, seqs in skipped.items()}

    def _survey(self, ranges: list[tuple[str, int, int]]) -> list[tuple[int, int, int, bool]]:
        """:func:`dedup.io.ranges.survey` of each range, one task per range."""
        found = self.spark.sparkContext.parallelize(ranges, len(ranges)).map(lambda r: survey(*r)).collect()
        return [tuple(x) for x in found]

    def _partitions(self, units: Sequence[Unit]) -> int:
        """Tasks for reading and cleaning: one per :data:`BYTES_PER_TASK` of input (at most one per unit), at
        least one per core. Their partitions are cached twice (pages, then fingerprints, ~20 KB a document): a
        partition is one block, built in memory, so a partition of a 100k-document corpus over 8 tasks (250 MB)
        runs a 4 GB heap out."""
        total = 0
        for path in {u.path for u in units}:
            with contextlib.suppress(OSError):
                total += os.path.getsize(path)
        cores = self.spark.sparkContext.defaultParallelism
        return min(len(units), max(cores, math.ceil(total / BYTES_PER_TASK)))

    def learn_site(
        self, pages: DataFrame, offsets: dict[int, int], skipped: dict[int, np.ndarray]
    ) -> tuple[LearnedBoilerplate, list]:
        """The local engine's site learner, run on the driver over what each page with a site contributes (its
        line hashes and story keys, in input order; see :mod:`dedup.spark.site`): the boilerplate to strip, and
        the learned lines for the report."""
        s = self.settings
        rows = pages.where(F.col("source").isNotNull()).select("unit", "seq", "source", "hashes", "story").toArrow()
        units, seqs = rows.column("unit").to_numpy(), rows.column("seq").to_numpy()
        idx = np.fromiter(
            (document_index(u, q, offsets, skipped) for u, q in zip(units.tolist(), seqs.tolist())),
            dtype=np.int64,
            count=rows.num_rows,
        )
        order = np.argsort(idx, kind="stable")
        sources, hashes, stories = (rows.column(c) for c in ("source", "hashes", "story"))

        def observed():
            for i in order.tolist():
                yield (
                    int(idx[i]),
                    sources[i].as_py(),
                    np.frombuffer(hashes[i].as_py(), dtype=np.uint64),
                    np.frombuffer(stories[i].as_py(), dtype=np.uint64),
                )

        learner, marked = learn(observed(), s.site_min_docs, s.site_min_share)
        learned = learner.learned()
        refs = learned_refs(learned)
        lines: dict[tuple[int, int], str] = {}
        if refs:
            pages_wanted = {p for p, _ in refs}
            wanted = {
                int(idx[i]): (int(units[i]), int(seqs[i]))
                for i in np.flatnonzero(np.isin(idx, list(pages_wanted))).tolist()
            }
            keys = self.spark.createDataFrame(sorted(set(wanted.values())), "unit int, seq long")
            texts = {
                (r["unit"], r["seq"]): r["text"]
                for r in pages.join(F.broadcast(keys), ["unit", "seq"])
                .select("unit", "seq", "text")
                .toArrow()
                .to_pylist()
            }
            for page, i in refs:
                lines[(page, i)] = texts[wanted[page]].splitlines()[i].strip()
        return LearnedBoilerplate(marked), with_texts(learned, lines)

    def fingerprint(
        self, pages: DataFrame, offsets: dict[int, int], skipped: dict[int, np.ndarray], site: LearnedBoilerplate | None
    ) -> DataFrame:
        state = stage_state(self.settings, self.rules, site)

        def fingerprints(batches):
            for batch in batches:
                yield fingerprint_batch(state, batch, offsets, skipped)

        return self._keep(pages.mapInArrow(fingerprints, _schema(FP_SCHEMA)), disk=True)

    def documents(self, fp: DataFrame) -> list[DocInfo]:
        """Every document's :class:`DocInfo`, in input order."""
        rows = fp.select("idx", *INFO_COLUMNS).toArrow().sort_by("idx")
        cols = [rows.column(c).to_pylist() for c in INFO_COLUMNS]
        return [DocInfo(*values) for values in zip(*cols)]

    # -- exact copies, components, clusters --------------------------------------------------------------------

    def exact_copies(self, fp: DataFrame, docs: int = 0) -> tuple[DataFrame, DataFrame]:
        """``(reps, copies)``: the representative of each distinct text (the best-ranked of its exact copies, as
        :func:`dedup.cluster.exact_groups` picks it), and each representative's copies in keep order."""
        live = fp.where(F.col("words") > 0)
        # Ranked on the narrow columns: the wide ones (texts, shingle sets, windows) are shuffled once, by
        # document, not also by digest.
        narrow = live.select("idx", "digest", "k1", "k2", "words", "date", "source")
        best = F.min(F.struct("k1", "k2", "idx")).over(Window.partitionBy("digest"))
        ranked = narrow.withColumn("rep", best["idx"])
        firsts = ranked.where(F.col("idx") == F.col("rep")).select("idx")
        # Hash-partitioned by document: the six joins of verification reuse it instead of shuffling it again.
        parts = max(self.partitions, math.ceil(docs / REPS_PER_PARTITION))  # small cached blocks, as above
        reps = self._keep(live.repartition(parts, "idx").join(firsts, "idx", "left_semi"))
        copy = F.struct("k1", "k2", "idx", "words", "date", "source")
        copies = (
            ranked.where(F.col("idx") != F.col("rep"))
            .groupBy("rep")
            .agg(F.array_sort(F.collect_list(copy)).alias("sorted"))
            .select(
                F.col("rep").alias("idx"),
                F.transform(
                    "sorted",
                    lambda c: F.struct(
                        c["idx"].alias("idx"),
                        c["words"].alias("words"),
                        c["date"].alias("date"),
                        c["source"].alias("source"),
                    ),
                ).alias("copies"),
            )
        )
        return reps, self._keep(copies)

    def clusters(
        self, links: DataFrame, found_links: Sequence[Link], reps: DataFrame, copies: DataFrame, infos: list[DocInfo]
    ) -> list[Cluster]:
        """Star clusters per component, then exact copies of unlinked texts; sorted as the local engine sorts."""
        s = self.settings
        if len(found_links) <= self.driver_edges:
            a = np.fromiter((k.a for k in found_links), dtype=np.int64, count=len(found_links))
            b = np.fromiter((k.b for k in found_links), dtype=np.int64, count=len(found_links))
            node, label = small_graph_components(a, b)
            comp = self._keep(self.spark.createDataFrame(pa.table({"node": node, "comp": label})))
        else:
            comp = self._keep(connected_components(links))
        nodes = (
            comp.withColumnRenamed("node", "idx")
            .join(reps, "idx")
            .join(copies, "idx", "left")
            .select("comp", "idx", "words", "date", "source", "shingles", "cwords", "text", "copies")
        )
        # The links' component under a new name: both sides of the cogroup derive from `comp`.
        edges = links.join(comp.select(F.col("node").alias("a"), F.col("comp").alias("link_comp")), "a")
        found = (
            nodes.groupBy("comp")
            .cogroup(edges.groupBy("link_comp"))
            .applyInArrow(lambda n, e: cluster_component(n, e, s), _schema(CLUSTER_SCHEMA))
        )
        clusters = [cluster_of(r) for r in found.toArrow().to_pylist()]
        alone = copies.join(comp.withColumnRenamed("node", "idx"), "idx", "left_anti").toArrow().to_pylist()
        order = keep_order(infos, s.keep, s.prefer)
        groups = {r["idx"]: [c["idx"] for c in r["copies"]] for r in alone}
        return expand_exact(clusters, groups, order)


def match_partitions(docs: int, configured: int) -> int:
    """Shuffle partitions for banding and verification: the configured number, or more for a large corpus.

    >>> match_partitions(20_000, 8), match_partitions(1_000_000, 8), match_partitions(1_000_000, 200)
    (8, 134, 200)
    """
    return max(configured, math.ceil(docs / DOCS_PER_MATCH_PARTITION))
