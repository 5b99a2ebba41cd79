"""Small pieces of HTML shared by the report's modules: escaping and the direction of a block of text.

>>> html_dir("وصلت الطائرة"), html_dir("The port strike")
('dir="rtl" lang="ar"', 'dir="auto"')
"""

from __future__ import annotations

import html
import re

_ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")
_LATIN = re.compile("[A-Za-z\u00c0-\u024f]")


def esc(value: object) -> str:
    """``value`` as text safe inside an element or a quoted attribute."""
    return html.escape(str(value), quote=True)


def is_arabic(text: str) -> bool:
    """True when Arabic-script letters outnumber Latin ones (sampled from the start of ``text``).

    >>> is_arabic("مقتل 20 عنصرا in Palmyra"), is_arabic("The port strike"), is_arabic("")
    (True, False, False)
    """
    sample = text[:2000]
    arabic = len(_ARABIC.findall(sample))
    return arabic > 0 and arabic >= len(_LATIN.findall(sample))


def html_dir(text: str) -> str:
    """The direction attributes of a block holding ``text``."""
    return 'dir="rtl" lang="ar"' if is_arabic(text) else 'dir="auto"'


def number(n: int) -> str:
    """A count with thousands separators.

    >>> number(1725), number(1000000)
    ('1,725', '1,000,000')
    """
    return f"{n:,}"


def megabytes(n: int) -> str:
    """A size in MB, as a reader would say it.

    >>> megabytes(12_345_678), megabytes(987_654_321), megabytes(40_000)
    ('12 MB', '988 MB', '0.04 MB')
    """
    mb = n / 1e6
    return f"{mb:.0f} MB" if mb >= 1 else f"{mb:.2f} MB"
