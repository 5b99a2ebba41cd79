"""Index locations: a file path (SQLite) or a Redis URL, and how a URL is shown without its password.

>>> is_redis("redis://h:6379/0"), is_redis("news.sqlite")
(True, False)
"""

from __future__ import annotations

import os
import re
from urllib.parse import unquote

REDIS_SCHEMES = ("redis://", "rediss://", "unix://")


def is_redis(location: str | os.PathLike[str]) -> bool:
    """Whether ``location`` names a Redis index (a URL) rather than an SQLite file."""
    return str(location).startswith(REDIS_SCHEMES)


def _user_part(text: str) -> tuple[int, int] | None:
    """Where a URL's ``user:password`` part starts and ends (the ``@`` after it), or ``None`` without one."""
    start = text.find("//") + 2
    if start < 2:
        return None
    end = min((i for i in (text.find(c, start) for c in "?#") if i >= 0), default=len(text))
    at = text.rfind("@", start, end)  # the last @ ends the user part: a password may hold "@" or "/"
    return (start, at) if at >= 0 else None


def display_location(location: str | os.PathLike[str]) -> str:
    """``location`` as it may be shown in messages and summaries: a Redis URL's password becomes ``***``.

    >>> display_location("redis://app:s3cr/t@db.example:6379/0?prefix=news")
    'redis://app:***@db.example:6379/0?prefix=news'
    >>> display_location("rediss://:s3cret@db.example/0?password=s3cret")
    'rediss://:***@db.example/0?password=***'
    >>> display_location("news.sqlite")
    'news.sqlite'
    """
    text = str(location)
    if not is_redis(text):
        return text
    span = _user_part(text)
    if span is not None:
        start, at = span
        user, colon, _ = text[start:at].partition(":")
        text = text[:start] + (f"{user}:***" if colon else user) + text[at:]
    # redis-py also takes the password as a URL parameter.
    return re.sub(r"([?&]password=)[^&#]*", r"\1***", text, flags=re.IGNORECASE)


def url_passwords(url: str) -> list[str]:
    """The passwords a Redis URL carries (user part, ``password=``), as written and percent-decoded: what must be
    kept out of any message.

    >>> url_passwords("redis://app:s3cr%40t@h/0"), url_passwords("redis://h/0?password=pw"), url_passwords("redis://h")
    (['s3cr%40t', 's3cr@t'], ['pw'], [])
    """
    found = []
    span = _user_part(url)
    if span is not None:
        _, colon, password = url[span[0] : span[1]].partition(":")
        found += [password] if colon else []
    found += re.findall(r"[?&]password=([^&#]*)", url, flags=re.IGNORECASE)
    found += [unquote(p) for p in found]
    return list(dict.fromkeys(p for p in found if p))
