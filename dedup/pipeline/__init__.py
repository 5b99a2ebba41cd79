"""The batch scan, stage by stage: ``run.py`` orchestrates, ``workers.py`` holds the per-batch stages,
``stores.py`` the on-disk stores verification reads, ``verify.py`` LSH and verification, ``result.py`` what a
scan returns."""

from dedup.pipeline.result import ScanResult
from dedup.pipeline.run import Pipeline, clean, scan, scan_documents
from dedup.pipeline.stores import ShingleStore, TextStore
from dedup.pipeline.verify import find_links

__all__ = ["Pipeline", "ScanResult", "ShingleStore", "TextStore", "clean", "find_links", "scan", "scan_documents"]
