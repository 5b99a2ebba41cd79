"""The same scan on Apache Spark: ``dedup scan INPUTS --engine spark``, or :func:`scan` from Python (and
``dedup remove --engine spark``: :class:`SparkPipeline` stands in for the local pipeline).

It makes the local engine's decisions with the local engine's functions, spread over a cluster: the read,
cleaning, fingerprinting and verification stages run the project's own code on Arrow batches in Spark's Python
workers; banding, grouping, exact copies and connected components are DataFrame operations; star clusters are
found per component by :mod:`dedup.cluster`. The result is a :class:`dedup.pipeline.ScanResult`, so every report
reads it unchanged. Needs the ``spark`` extra (``pip install 'news-dedup[spark]'``) and a Java runtime.

:mod:`~dedup.spark.run` orchestrates; :mod:`~dedup.spark.read` shares the input out; :mod:`~dedup.spark.stages`
holds the per-batch functions (no pyspark inside); :mod:`~dedup.spark.site`, :mod:`~dedup.spark.match`,
:mod:`~dedup.spark.components` and :mod:`~dedup.spark.clusters` are the stages after fingerprinting;
:mod:`~dedup.spark.session` starts Spark; :mod:`~dedup.spark.submit` is the command for ``spark-submit``. How to run
it on a cluster: ``docs/spark.md``.
"""

from __future__ import annotations

from dedup.spark.run import SparkPipeline, SparkUnavailable, scan
from dedup.spark.session import session, unavailable

__all__ = ["SparkPipeline", "SparkUnavailable", "scan", "session", "unavailable"]
