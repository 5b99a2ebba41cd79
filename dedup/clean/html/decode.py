"""Page bytes to text, never raising: BOM, then valid UTF-8, then ``<meta charset>``, then windows-1256.

>>> decode_html("<p>قال</p>".encode("windows-1256") + b"<meta charset=windows-1256>")
'<p>قال</p><meta charset=windows-1256>'
>>> decode_html(b"\\xef\\xbb\\xbf<p>ok</p>")
'<p>ok</p>'
"""

from __future__ import annotations

import codecs
import re

_META_CHARSET = re.compile(rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9_:.-]+)""", re.I)


def decode_html(raw: bytes) -> str:
    """Bytes → str without ever raising: BOM, then valid UTF-8, then <meta charset>, then windows-1256."""
    for bom, enc in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if raw.startswith(bom):
            return raw[len(bom) :].decode(enc, "replace")
    # UTF-8 validates itself: bytes of a windows-1256 (or latin-1) page almost never form valid UTF-8, so a clean
    # UTF-8 decode wins over any declaration (pages often declare a charset they do not use).
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    m = _META_CHARSET.search(raw[:8192])
    name = ""
    if m:
        name = m.group(1).decode("ascii", "ignore").lower()
        try:
            name = codecs.lookup(name).name
        except LookupError:
            name = ""
    if name and name != "utf-8":
        return raw.decode(name, "replace")
    # Declared UTF-8 (or nothing) but not valid UTF-8: a few broken sequences are damage, many mean another
    # encoding; for an Arabic-first corpus windows-1256 is the likely one (it maps all but a handful of bytes).
    text = raw.decode("utf-8", "replace")
    if text.count("\ufffd") <= max(2, len(raw) // 1000):
        return text
    return raw.decode("windows-1256", "replace")
