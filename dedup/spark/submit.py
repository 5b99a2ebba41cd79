"""The ``dedup`` command as a file ``spark-submit`` can run (it wants a ``.py`` path, not a console script).

    spark-submit --master yarn "$(python -c 'import dedup.spark.submit as m; print(m.__file__)')" \\
        scan /mnt/crawl/2024/ --engine spark --format json -o clusters.json

Under ``spark-submit`` the session takes its master and settings from spark-submit's configuration.
"""

from __future__ import annotations

if __name__ == "__main__":  # pragma: no cover - run by spark-submit
    from dedup.cli import app

    app()
