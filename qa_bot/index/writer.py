"""One writer at a time per library folder, across threads and processes; readers never take it.

What writes: an ingest (store rows, then BM25), a sync's first step (stale ids out, BM25 up to date)
and each vector checkpoint (new vectors saved, manifest switched). All of them hold ``writer_lock``;
embedding itself (the slow part) runs outside it, so a writer waits at most for one checkpoint of
another writer, and a search or an answer never waits at all (see ``qa_bot.index.sync``).

The lock is an exclusive ``flock`` on ``<folder>/writer.lock`` (other processes: a ``qa-bot ingest``
in a terminal while the chat serves the same library) plus a per-folder thread lock (other threads of
this process). It is re-entrant within a thread (an ingest holds it and calls sync). The kernel drops
the flock when its process dies, so a killed ingest never leaves a stale lock behind; the file itself
is never deleted (deleting a held lock file would let a second writer lock a new file of that name).
"""

from __future__ import annotations

import os
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: the thread lock alone (one process per library)
    fcntl = None

LOCK_NAME = "writer.lock"


class WriterBusy(Exception):
    """``writer_lock(..., blocking=False)``: another writer holds the library."""


class _FolderLock:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.owner: int | None = None
        self.depth = 0
        self.fd: int | None = None


_locks: dict[str, _FolderLock] = {}
_locks_guard = threading.Lock()


def _folder_lock(folder: Path) -> _FolderLock:
    key = os.path.realpath(folder)
    with _locks_guard:
        return _locks.setdefault(key, _FolderLock())


def held(folder: str | os.PathLike) -> bool:
    """This thread holds the writer lock of ``folder``."""
    return _folder_lock(Path(folder)).owner == threading.get_ident()


@contextmanager
def writer_lock(folder: str | os.PathLike, blocking: bool = True,
                on_wait: Callable[[], None] | None = None) -> Iterator[None]:
    """Hold the library's writer lock. ``blocking=False`` raises ``WriterBusy`` instead of waiting;
    ``on_wait()`` is called once when the lock is not free at once (to tell the user why nothing moves)."""
    folder = Path(folder)
    fl = _folder_lock(folder)
    me = threading.get_ident()
    if fl.owner == me:  # re-entry
        fl.depth += 1
        try:
            yield
        finally:
            fl.depth -= 1
        return
    if not fl.lock.acquire(blocking=False):
        if not blocking:
            raise WriterBusy(str(folder))
        if on_wait:
            on_wait()
            on_wait = None
        fl.lock.acquire()
    fd = None
    try:
        if fcntl is not None:
            folder.mkdir(parents=True, exist_ok=True)
            fd = os.open(folder / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if not blocking:
                    raise WriterBusy(str(folder)) from None
                if on_wait:
                    on_wait()
                fcntl.flock(fd, fcntl.LOCK_EX)
        fl.owner, fl.depth, fl.fd = me, 1, fd
        try:
            yield
        finally:
            fl.owner, fl.depth, fl.fd = None, 0, None
    finally:
        if fd is not None:
            os.close(fd)  # drops the flock
        fl.lock.release()
