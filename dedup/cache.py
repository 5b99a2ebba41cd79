"""dedup's cache folder: small files derived once per machine (Unicode tables, LSH parameters).

Anything here can be deleted at any time; it is rebuilt on the next run. Nothing a user wrote is ever kept here.

>>> cache_dir().name.startswith("dedup")
True
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def cache_dir() -> Path:
    """``$DEDUP_CACHE_DIR``, else ``$XDG_CACHE_HOME/dedup``, else ``~/.cache/dedup``; without a home directory
    (some containers), a per-user folder in the temp dir."""
    explicit = os.environ.get("DEDUP_CACHE_DIR")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg:
        return Path(xdg) / "dedup"
    try:
        return Path.home() / ".cache" / "dedup"
    except (RuntimeError, KeyError):
        return Path(tempfile.gettempdir()) / f"dedup-cache-{os.getuid() if hasattr(os, 'getuid') else 'user'}"


def write_cache_file(path: Path, data: bytes) -> None:
    """Write a cache file atomically (concurrent runs read the old file or the new one, never half of one);
    a cache that cannot be written is only a cache: the error is swallowed."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)
