"""The Spark session a scan runs in, and why a Spark scan can or cannot run here.

A local master (``local[2]``, ``local[*]``) runs the Python workers on this machine: they must use this
interpreter, or they start the system ``python3``, which has no ``dedup`` (``ModuleNotFoundError``), so
``PYSPARK_PYTHON`` is set to it unless the user set it. On a cluster, the executors need ``dedup`` installed
(``pip install 'news-dedup[spark]'`` on the nodes, or the wheel shipped with ``spark-submit --py-files``);
under ``spark-submit`` the master and everything else come from its configuration.

>>> shuffle_partitions("local[3]"), shuffle_partitions("local[*]") >= 4, shuffle_partitions("yarn")
(12, True, None)
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

DEFAULT_MASTER = "local[*]"
LOG_CONFIG = Path(__file__).with_name("log4j2.properties")
ARROW_BATCH = 1024  # rows per Arrow batch handed to a Python worker (a batch of HTML pages can be 100 MB)
# Rows per cached columnar batch (Spark's 10,000 rows of texts, shingle sets and window signatures, ~20 KB a
# document, make one 200 MB batch: a 1 GB heap runs out building it).
CACHE_BATCH = 1024
LOCAL_HEAP = "4g"  # a local master's heap (Spark's default, 1 GB, cannot cache a 20k-document scan)


def unavailable() -> str | None:
    """Why a Spark scan cannot run here (``None`` when it can): pyspark, pyarrow, pandas or Java missing."""
    try:
        import pandas  # noqa: F401 - pyspark's Arrow functions check for it
        import pyarrow  # noqa: F401
        import pyspark  # noqa: F401
    except ImportError as err:
        return f"the Spark engine needs {err.name}: pip install 'news-dedup[spark]'"
    java_home = os.environ.get("JAVA_HOME")
    if not shutil.which("java") and not (java_home and os.path.exists(os.path.join(java_home, "bin", "java"))):
        return "the Spark engine needs a Java runtime (17 or later), e.g. apt-get install openjdk-17-jre-headless"
    return None


def is_local(master: str | None) -> bool:
    return master is None or master.startswith("local")


def shuffle_partitions(master: str | None) -> int | None:
    """Shuffle partitions for a local master: four per core (Spark's 200 are 200 Python tasks per stage)."""
    if master is None or not master.startswith("local"):
        return None
    found = re.fullmatch(r"local\[(\d+|\*)(?:,\s*\d+)?\]", master)
    cores = (os.cpu_count() or 1) if found is None or found.group(1) == "*" else int(found.group(1))
    return 4 * max(1, cores)


def session(master: str | None = None, conf: Mapping[str, str] | None = None, app_name: str = "dedup") -> SparkSession:
    """The active Spark session, or a new one on ``master`` (default: the ``spark-submit`` configuration, else
    :data:`DEFAULT_MASTER`). ``conf`` adds Spark settings (``{"spark.ui.enabled": "false"}``)."""
    from pyspark import SparkConf, SparkContext
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:  # one context per process: a running session is the one to use
        return active
    launched = "PYSPARK_GATEWAY_PORT" in os.environ  # under spark-submit: its configuration decides
    if master is None and not launched:
        master = DEFAULT_MASTER
    quiet = {}
    if is_local(master) and not launched:
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
        # Errors only: Spark's start-up warnings (loopback address, no native Hadoop) are noise on dedup's stderr.
        quiet = {
            "spark.driver.extraJavaOptions": f"-Dlog4j2.configurationFile={LOG_CONFIG.as_uri()}",
            "spark.driver.memory": LOCAL_HEAP,  # the driver is the executor: its heap caches the data
        }
    settings = {
        "spark.sql.execution.arrow.maxRecordsPerBatch": str(ARROW_BATCH),
        "spark.sql.inMemoryColumnarStorage.batchSize": str(CACHE_BATCH),
        "spark.ui.showConsoleProgress": "false",  # stage bars on stderr would garble dedup's own output
        **quiet,
        **({"spark.sql.shuffle.partitions": str(shuffle_partitions(master))} if shuffle_partitions(master) else {}),
        **(conf or {}),
    }
    if launched:
        SparkContext._ensure_initialized()
        given = SparkConf()
        settings = {k: v for k, v in settings.items() if k in (conf or {}) or not given.contains(k)}
    builder = SparkSession.builder.appName(app_name)
    if master is not None:
        builder = builder.master(master)
    for key, value in settings.items():
        builder = builder.config(key, value)
    return builder.getOrCreate()
