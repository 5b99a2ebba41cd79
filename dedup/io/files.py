"""Files as inputs: only regular files are opened, reads are bounded, and each file has one id.

A FIFO, a device or a socket (named on the command line, found in a folder, or reached through a symlink, such as
a link to ``/dev/zero``) is never read: :func:`open_regular` raises :class:`NotRegularFile` naming its kind, and
it is opened without blocking, so that a FIFO with no writer cannot hang the run.

The id of a file is its path as it would be typed from the working directory: relative to it when the file lies
under it, else absolute; never resolved through symlinks. So ``D/seeds/a.txt`` has the same id whether the
command named ``D``, ``D/seeds``, ``./D/`` or ``$PWD/D``, and an index fed first one way then the other holds each
file once.

>>> import os
>>> file_id(os.path.join(os.getcwd(), "D", "seeds", "a.txt")), file_id("./D//seeds/a.txt")
('D/seeds/a.txt', 'D/seeds/a.txt')
>>> file_id("/elsewhere/../srv/news/a.txt", cwd="/home/me")
'/srv/news/a.txt'
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterator
from pathlib import Path, PurePosixPath
from typing import BinaryIO

_KINDS = (
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISDIR, "a directory"),
)


class NotRegularFile(OSError):
    """The path is a FIFO, a device, a socket or a directory, not a file to read."""


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def open_regular(path: str | os.PathLike[str]) -> BinaryIO:
    """Open ``path`` for binary reading if it is a regular file (after symlinks); else :class:`NotRegularFile`.

    The kind is checked before opening (opening a device can have effects of its own) and again on the open
    descriptor (the path may have been replaced in between).
    """
    mode = os.stat(path).st_mode
    if not stat.S_ISREG(mode):
        raise NotRegularFile(f"{_kind(mode)}, not a regular file")
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise NotRegularFile(f"{_kind(mode)}, not a regular file")
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


class TooLarge(ValueError):
    """A file larger than the document size limit (or one that grew past it while it was read)."""


def read_limited(handle: BinaryIO, limit: int) -> bytes:
    """All of an open regular file, or :class:`TooLarge` past ``limit`` bytes: never more than that is read."""
    size = os.fstat(handle.fileno()).st_size
    if size > limit:
        raise TooLarge(f"document too large ({size} bytes > {limit}); skipped")
    data = handle.read(limit + 1)
    if len(data) > limit:
        raise TooLarge(f"document too large (grew past {limit} bytes while read); skipped")
    return data


def file_id(path: str | os.PathLike[str], cwd: str | None = None) -> str:
    """The id of a file: its path relative to ``cwd`` (the working directory) when under it, else absolute."""
    cwd = cwd if cwd is not None else os.getcwd()
    absolute = os.path.normpath(os.path.join(cwd, os.fspath(path)))
    rel = os.path.relpath(absolute, cwd)
    if rel == os.pardir or rel.startswith(os.pardir + os.sep):
        return Path(absolute).as_posix()
    return PurePosixPath(*Path(rel).parts).as_posix()


def walk_files(root: Path, onerror: Callable[[OSError], None]) -> Iterator[Path]:
    """The files under ``root`` in the order every reader takes them: directories and names sorted, hidden ones
    (a leading dot) left out, symlinks followed, each directory read once (a symlink loop ends there)."""
    seen: set[tuple[int, int]] = set()
    for dirpath, dirnames, filenames in os.walk(root, followlinks=True, onerror=onerror):
        try:
            st = os.stat(dirpath)
        except OSError:
            continue
        if (st.st_dev, st.st_ino) in seen:
            dirnames[:] = []
            continue
        seen.add((st.st_dev, st.st_ino))
        dirnames.sort()
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        for name in sorted(filenames):
            if not name.startswith("."):
                yield Path(dirpath) / name
