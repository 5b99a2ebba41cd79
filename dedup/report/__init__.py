"""What ``dedup`` writes for people and programs: :mod:`dedup.report.text` (JSON, CSV and table reports of a scan,
index matches, gate findings, cleaned records) and :mod:`dedup.report.html` (the self-contained HTML report).

>>> from dedup.pipeline import ScanResult
>>> render_json(ScanResult([], [], []))
'{\\n  "documents": 0,\\n  "clusters": []\\n}\\n'
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dedup.exports import lazy_attributes
from dedup.report.text import render_csv, render_json, render_table, to_json

if TYPE_CHECKING:
    from dedup.report.html import render_html, write_html


# The HTML report is imported when asked for: a scan that writes JSON, CSV or a table does not load it.
__getattr__ = lazy_attributes(
    __name__, {"render_html": "dedup.report.html", "write_html": "dedup.report.html"}, keep=False
)


__all__ = ["render_csv", "render_html", "render_json", "render_table", "to_json", "write_html"]
