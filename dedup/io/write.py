"""Outputs: written atomically, with the permissions the umask gives, and never onto an input.

:func:`atomic_writer` writes through a temporary file in the same folder, renamed into place on success; the file
gets the mode a plain ``open`` would give it (``0o666`` less the umask), or keeps the mode of the file it replaces.
:func:`refuse_input_overlap` is the one check every command that writes makes before writing.

>>> import tempfile, os
>>> d = tempfile.mkdtemp(); p = os.path.join(d, "out.txt")
>>> with atomic_writer(p) as f: _ = f.write("done")
>>> open(p).read()
'done'
>>> refuse_input_overlap(os.path.join(d, "report.json"), [p])
>>> refuse_input_overlap(p, [d])
Traceback (most recent call last):
...
dedup.errors.OutputError: ...out.txt: output would be written inside input folder ...; choose another path
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, Any

from dedup.errors import OutputError


def current_umask() -> int:
    """The process's umask (read by setting it and putting it back: there is no other portable way)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def chmod_by_umask(path: str | os.PathLike[str]) -> None:
    """Give a folder made by :func:`tempfile.mkdtemp` (always ``0o700``) the mode ``mkdir`` would have given it."""
    os.chmod(path, 0o777 & ~current_umask())


@contextlib.contextmanager
def atomic_writer(path: str | os.PathLike[str], mode: str = "w") -> Iterator[IO[Any]]:
    """Write ``path`` through a temporary file in the same directory, renamed into place only on success.

    A crash, a full disk or an exception inside the block leaves either the old file or nothing, never a
    half-written one. The new file has the old one's mode, or ``0o666`` less the umask (``mkstemp`` alone would
    leave it ``0o600``).

    >>> import tempfile, os
    >>> d = tempfile.mkdtemp(); p = os.path.join(d, "out.txt")
    >>> with atomic_writer(p) as f: _ = f.write("done")
    >>> open(p).read()
    'done'
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        perms = stat.S_IMODE(os.stat(target).st_mode)
    except OSError:
        perms = 0o666 & ~current_umask()
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        os.fchmod(fd, perms)
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


def _real(path: str | os.PathLike[str]) -> Path:
    # Not Path.resolve(): on a symlink loop it raises RuntimeError on Python < 3.13. realpath resolves every
    # symlink it can, the missing tail of a path that does not exist yet included, and normalises ./x and x.
    return Path(os.path.realpath(path))


def _same_file(a: str | os.PathLike[str], b: str | os.PathLike[str]) -> bool:
    try:
        return os.path.samefile(a, b)  # a hard link is the same file under another name
    except OSError:
        return False


def refuse_input_overlap(output: str | os.PathLike[str], inputs: Sequence[str], what: str = "output") -> None:
    """Raise :class:`OutputError` (one line) when writing ``output`` could change or mix with an input.

    Refused: ``output`` is an input, the same file by another name (a symlink, a hard link, ``./x`` for ``x``),
    inside an input folder, or a folder that holds an input. An output ``-`` (standard output), an input ``-``
    (standard input) and missing inputs are passed over. ``what`` names the output in the message (``"output"``,
    ``"manifest"``, ``"--html report"``).
    """
    if os.fspath(output) == "-":
        return
    out = _real(output)
    for item in inputs:
        if item == "-" or not os.path.lexists(item):
            continue
        src = _real(item)
        if out == src or _same_file(output, item):
            problem = f"{what} would overwrite input {item}"
        elif src in out.parents and os.path.isdir(src):
            problem = f"{what} would be written inside input folder {item}"
        elif out in src.parents:
            problem = f"{what} folder would contain input {item}"
        else:
            continue
        raise OutputError(f"{output}: {problem}; choose another path")
