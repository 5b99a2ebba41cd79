"""Decoding text that is not always UTF-8: ``.txt`` files and JSONL lines.

The rule, in order: a byte-order mark (UTF-8, UTF-16 LE/BE); valid UTF-8; UTF-8 with a few damaged bytes (a cut
multi-byte character: most non-ASCII text decodes, each damaged sequence becomes U+FFFD); else a legacy
single-byte encoding, chosen between windows-1256 and windows-1252 by the share of Arabic words that decoding as
windows-1256 gives (Arabic scrapes are the common case; windows-1256 keeps French letters at the windows-1252
positions, so a French text decoded either way reads the same), with ISO-8859-1 for the few bytes windows-1252
leaves undefined. HTML is decoded by the cleaner instead, which also reads the page's declared charset.

No detector package is used: ``charset-normalizer`` found windows-1256 on Arabic as reliably, but took a
windows-1252 English and French paragraph for windows-1257 (Baltic), turning ``ô`` and ``û`` into other letters.

>>> decode_text("مطار عدن الدولي".encode("windows-1256"))
Decoded(text='مطار عدن الدولي', encoding='windows-1256', replaced=0)
>>> decode_text("Café crème".encode("windows-1252")).encoding
'windows-1252'
>>> decode_text(b"\\xff\\xfeh\\x00i\\x00")
Decoded(text='hi', encoding='utf-16', replaced=0)
"""

from __future__ import annotations

import codecs
import re
from typing import NamedTuple

# Arabic letters (with the Persian/Urdu letters windows-1256 has) in runs of two or more: real Arabic text is
# made of such words; a Western text decoded as windows-1256 gives single Arabic letters between Latin ones.
_ARABIC_WORD = re.compile("[\u0621-\u064a\u067e\u0686\u0698\u06af]{2,}")
# Measured on 2,000 SaudiNewsNet articles encoded in windows-1256: 0.54 at the lowest; English, French, German,
# Spanish and Portuguese in windows-1252: 0.0.
_ARABIC_SHARE = 0.3
_SAMPLE = 1 << 16  # bytes looked at to choose a legacy encoding
_BOMS = (
    (codecs.BOM_UTF8, "utf-8", "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16"),
)


class Decoded(NamedTuple):
    """Decoded text, the encoding used, and how many damaged byte sequences became U+FFFD."""

    text: str
    encoding: str
    replaced: int


def legacy_encoding(data: bytes) -> str:
    """windows-1256 when decoding ``data`` as windows-1256 gives mostly Arabic words, else windows-1252.

    >>> legacy_encoding("نص عربي قصير".encode("windows-1256")), legacy_encoding("naïve".encode("windows-1252"))
    ('windows-1256', 'windows-1252')
    """
    sample = data[:_SAMPLE].decode("windows-1256")  # defines all 256 bytes: never fails
    wide = sum(1 for c in sample if ord(c) > 127)
    if wide and sum(map(len, _ARABIC_WORD.findall(sample))) >= _ARABIC_SHARE * wide:
        return "windows-1256"
    try:
        data[:_SAMPLE].decode("windows-1252")
    except UnicodeDecodeError:  # 0x81, 0x8D, 0x8F, 0x90, 0x9D are undefined there, not in ISO-8859-1
        return "iso-8859-1"
    return "windows-1252"


def damaged_utf8(data: bytes) -> int:
    """How many invalid sequences ``data`` has if it is UTF-8 with a few damaged bytes, else 0.

    UTF-8 is recognised by its valid multi-byte characters: at least four for each invalid sequence. Text in a
    legacy encoding has almost none (an Arabic letter in windows-1256 is one byte, 0xC1-0xFE, seldom followed by
    the continuation byte UTF-8 would need).

    >>> damaged_utf8("مطار عدن الدولي".encode("utf-8")[:-1]), damaged_utf8("Café".encode("windows-1252"))
    (1, 0)
    """
    text = data.decode("utf-8", "replace")
    bad = text.count("\ufffd")
    good = sum(1 for c in text if ord(c) > 127) - bad
    return bad if bad and good >= 4 * bad else 0


def decode_text(data: bytes) -> Decoded:
    """The text of a whole file: BOM, UTF-8, damaged UTF-8, then windows-1256/windows-1252 (see the module)."""
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            text = data[len(bom) :].decode(codec, "replace")
            return Decoded(text, name, text.count("\ufffd"))
    try:
        return Decoded(data.decode("utf-8"), "utf-8", 0)
    except UnicodeDecodeError:
        pass
    bad = damaged_utf8(data)
    if bad:
        return Decoded(data.decode("utf-8", "replace"), "utf-8", bad)
    encoding = legacy_encoding(data)
    return Decoded(data.decode(encoding), encoding, 0)


class LineDecoder:
    """Decodes the lines of one JSONL file: each line UTF-8 when it is, else the file's legacy encoding.

    The legacy encoding is chosen once, at the first line that is neither UTF-8 nor damaged UTF-8, so that
    every line of a windows-1256 file is read the same way (a short line alone could be mistaken). A line of
    damaged UTF-8 raises :class:`UnicodeDecodeError`: it is not a document (it cannot be read as the writer
    meant it), and is passed through unchanged.

    >>> lines = LineDecoder()
    >>> lines.decode('{"text": "عدن"}'.encode("windows-1256"))
    ('{"text": "عدن"}', 'windows-1256')
    >>> lines.decode(b'{"text": "ok"}')
    ('{"text": "ok"}', 'utf-8')
    """

    def __init__(self) -> None:
        self.legacy: str | None = None

    def decode(self, line: bytes) -> tuple[str, str]:
        try:
            return line.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            if self.legacy is None:
                if damaged_utf8(line):
                    raise
                self.legacy = legacy_encoding(line)
            return line.decode(self.legacy), self.legacy
