"""Checkpoints of an SQLite index's write-ahead log in a background thread, off the writer's path.

With its default ``wal_autocheckpoint``, SQLite copies the log back into the database file inside the commit
that crosses the limit, so the process that commits waits for it. A batch of ``dedup filter`` writes thousands
of bucket pages, so nearly every commit did a checkpoint. :class:`Checkpointer` turns that off for one
connection and runs ``PRAGMA wal_checkpoint(PASSIVE)`` from a second connection in a thread, after each
commit it is told of: SQLite's own checkpoint, the same file at rest, while the next batch is decided (the
sqlite3 module releases the GIL inside SQLite). A passive checkpoint never blocks a reader or a writer; one it
could not finish is completed by the next, or by the last connection to close.

>>> import os, sqlite3, tempfile
>>> path = os.path.join(tempfile.mkdtemp(), "c.sqlite")
>>> db = sqlite3.connect(path, isolation_level=None)
>>> db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
'wal'
>>> with Checkpointer(path, db) as checkpoints:
...     _ = db.execute("CREATE TABLE t(x)")
...     checkpoints.committed()
>>> checkpoints.runs >= 1
True
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
import time

_IDLE_SECONDS = 5.0  # how long the thread waits for a commit before looking whether it should stop
# The log a long stream may reach before the writer checkpoints it itself. A passive checkpoint that a commit
# overlaps cannot start the log again from its beginning, so under a steady stream it would only grow.
WAL_LIMIT = 64 << 20


class Checkpointer:
    """Checkpoint the write-ahead log of the database at ``path`` in a background thread, after each commit
    of ``writer`` that :meth:`committed` reports; ``writer`` no longer checkpoints on its own."""

    def __init__(self, path: str, writer: sqlite3.Connection) -> None:
        self.path, self.writer = path, writer
        self.runs = 0  # checkpoints run (for tests)
        self.cpu_seconds = 0.0  # this thread's CPU time (for benchmarks)
        self._wanted = threading.Event()
        self._stop = False
        writer.execute("PRAGMA wal_autocheckpoint = 0")
        writer.execute(f"PRAGMA journal_size_limit = {WAL_LIMIT}")  # a log started again is cut back to this
        self.restarts = 0  # checkpoints the writer ran itself, the log past WAL_LIMIT (for tests)
        self._thread = threading.Thread(target=self._run, name="dedup-index-checkpoint", daemon=True)
        self._thread.start()

    def committed(self) -> None:
        """The writer committed: checkpoint what it wrote, soon, in the thread; at once, here, and so that the next
        commit starts the log again, when the log has grown past :data:`WAL_LIMIT`."""
        if self._wal_bytes() > WAL_LIMIT:
            with contextlib.suppress(sqlite3.Error):  # busy past the writer's timeout: the next commit tries again
                busy = self.writer.execute("PRAGMA wal_checkpoint(RESTART)").fetchone()[0]
                self.restarts += not busy
        self._wanted.set()

    def _wal_bytes(self) -> int:
        try:
            return os.stat(f"{self.path}-wal").st_size
        except OSError:
            return 0

    def _run(self) -> None:
        started = time.thread_time()
        try:
            db = sqlite3.connect(self.path, timeout=60, isolation_level=None, check_same_thread=False)
        except sqlite3.Error:
            return  # the writer's own close checkpoints what is left
        try:
            while not self._stop:
                if not self._wanted.wait(_IDLE_SECONDS):
                    continue
                self._wanted.clear()
                with contextlib.suppress(sqlite3.Error):  # busy or locked: the next commit's checkpoint retries
                    db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
                    self.runs += 1
                self.cpu_seconds = time.thread_time() - started
        finally:
            db.close()

    def close(self) -> None:
        """Stop the thread after the checkpoint it is running, if any, and give the writer its checkpoints back."""
        self._stop = True
        self._wanted.set()
        self._thread.join()
        with contextlib.suppress(sqlite3.Error):
            self.writer.execute("PRAGMA wal_autocheckpoint = 1000")

    def __enter__(self) -> Checkpointer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
