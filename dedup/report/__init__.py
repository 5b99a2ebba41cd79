"""What ``dedup`` writes for people and programs: :mod:`dedup.report.text` (JSON, CSV and table reports of a scan,
index matches, gate findings, cleaned records) and :mod:`dedup.report.html` (the self-contained HTML report).

>>> from dedup.pipeline import ScanResult
>>> render_json(ScanResult([], [], []))
'{\\n  "documents": 0,\\n  "clusters": []\\n}\\n'
"""

from dedup.report.html import render_html, write_html
from dedup.report.text import render_csv, render_json, render_table, to_json

__all__ = ["render_csv", "render_html", "render_json", "render_table", "to_json", "write_html"]
