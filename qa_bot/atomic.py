"""Atomic writes: write a temp file in the target's folder, fsync, ``os.replace``, fsync the folder (so
the rename itself survives a power loss). A reader (or a crash at any moment) sees the old file or the
new one, never half of one; whole folders likewise. A crash mid-write leaves a temp file named
``.NAME.*.tmp``; ``stale_temps`` finds them for whoever holds the folder's writer lock to delete."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator


@contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[str]:
    """Yields a temp path to write (by any library: faiss, numpy...); on success it is fsynced and
    renamed over ``path``; on any error it is removed and ``path`` is untouched."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        yield tmp
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    fsync_folder(path.parent)


def fsync_folder(folder: str | os.PathLike) -> None:
    """Make the folder's entries (a rename into it) durable."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def stale_temps(folder: str | os.PathLike, name: str) -> list[Path]:
    """Temp files ``atomic_path`` left for targets called ``name`` or ``name.*`` (``"vectors"`` matches
    ``.vectors.3.faiss.x1y2.tmp``): what a process killed mid-write leaves behind. Only safe to delete
    while no other writer can be writing one (under the folder's writer lock)."""
    return [p for p in Path(folder).glob(f".{name}.*.tmp") if p.is_file()]


def write_bytes(path: str | os.PathLike, data: bytes) -> None:
    with atomic_path(path) as tmp, open(tmp, "wb") as f:
        f.write(data)


def write_json(path: str | os.PathLike, data, indent: int = 1) -> None:
    write_bytes(path, (json.dumps(data, indent=indent, ensure_ascii=False) + "\n").encode("utf-8"))


def replace_folder(built: str | os.PathLike, folder: str | os.PathLike) -> None:
    """Put the finished folder ``built`` (a sibling of ``folder``) in place of ``folder``: a leftover
    ``folder`` is renamed aside first and removed after, and the parent folder is fsynced, so ``folder``
    is at every moment absent, the old one or the complete new one."""
    built, folder = Path(built), Path(folder)
    old = None
    if folder.exists():
        old = folder.with_name(f".{folder.name}.old-{os.getpid()}")
        os.replace(folder, old)
    os.replace(built, folder)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    fsync_folder(folder.parent)
