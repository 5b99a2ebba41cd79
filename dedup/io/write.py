"""Outputs written atomically: through a temporary file in the same folder, renamed into place on success.

>>> import tempfile, os
>>> d = tempfile.mkdtemp(); p = os.path.join(d, "out.txt")
>>> with atomic_writer(p) as f: _ = f.write("done")
>>> open(p).read()
'done'
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any


@contextlib.contextmanager
def atomic_writer(path: str | os.PathLike[str], mode: str = "w") -> Iterator[IO[Any]]:
    """Write ``path`` through a temporary file in the same directory, renamed into place only on success.

    A crash, a full disk or an exception inside the block leaves either the old file or nothing, never a
    half-written one.

    >>> import tempfile, os
    >>> d = tempfile.mkdtemp(); p = os.path.join(d, "out.txt")
    >>> with atomic_writer(p) as f: _ = f.write("done")
    >>> open(p).read()
    'done'
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        encoding = None if "b" in mode else "utf-8"
        with os.fdopen(fd, mode, encoding=encoding) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException as err:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(err, OSError) and (err.filename is None or err.filename == tmp):
            # A full disk fails in write/flush/fsync with no file name, or names the hidden temporary file:
            # name the file the user asked for instead, so the one-line error says which output failed.
            raise OSError(err.errno, err.strerror or str(err), str(target)) from err
        raise
