"""Page bytes to text, never raising: BOM, then valid UTF-8, then ``<meta charset>``, then windows-1256.

>>> decode_page("<p>قال</p>".encode("windows-1256") + b"<meta charset=windows-1256>")
('<p>قال</p><meta charset=windows-1256>', False)
>>> decode_page(b"\\xef\\xbb\\xbf<p>ok</p>"), decode_page("<p>قال</p>".encode())
(('<p>ok</p>', False), ('<p>قال</p>', True))
"""

from __future__ import annotations

import codecs
import re

_META_CHARSET = re.compile(rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9_:.-]+)""", re.I)


def decode_page(raw: bytes) -> tuple[str, bool]:
    """Bytes → str without ever raising (BOM, then valid UTF-8, then <meta charset>, then windows-1256), and
    whether the text is ``raw`` read as plain UTF-8 (no BOM, every byte valid): then ``raw`` is already the
    text's UTF-8 encoding, which is what lexbor parses."""
    for bom, enc in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if raw.startswith(bom):
            return raw[len(bom) :].decode(enc, "replace"), False
    # UTF-8 validates itself: bytes of a windows-1256 (or latin-1) page almost never form valid UTF-8, so a clean
    # UTF-8 decode wins over any declaration (pages often declare a charset they do not use).
    try:
        return raw.decode("utf-8"), True
    except UnicodeDecodeError:
        pass
    return _decode_legacy(raw), False


def _decode_legacy(raw: bytes) -> str:
    """Bytes that are not valid UTF-8: their <meta charset>, else UTF-8 with a few replacements, else
    windows-1256."""
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
