"""The demo library: *Pena v. DePrisco* plus the Supreme Court opinions a civil-rights or
criminal-procedure practitioner expects next to it, bundled in ``qa_bot/demo/`` (see its SOURCE.md;
``eval/make_demo.py`` selects them).

``build_demo(folder)`` ingests the bundle into a fresh library built in a temporary folder next to
``folder`` and renames it into place only when complete, so a half-built demo is never opened.
``Library.open(None)`` calls it on first use.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from .errors import QaBotError
from .settings import Settings
from .store import DB_NAME

DATA = Path(__file__).parent / "demo"


def demo_sources() -> list[Path]:
    """What the demo ingests: the SCOTUS corpus folder and the seed opinion (its .json is its sidecar)."""
    return [DATA / "scotus", DATA / "pena-v-deprisco.txt"]


def build_demo(folder: str | os.PathLike, settings: Settings | None = None, progress=None, embed: bool = True):
    """Build the demo library at ``folder`` (atomically); returns the ``IngestReport``."""
    from .library import Library

    folder = Path(folder)
    missing = [str(p) for p in demo_sources() if not p.exists()]
    if missing:
        raise QaBotError(f"the bundled demo data is missing ({', '.join(missing)}); reinstall qa-bot")
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = folder.with_name(f".{folder.name}.building-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        lib = Library(tmp, settings)
        try:
            report = lib.ingest(demo_sources(), progress=progress, embed=embed)
        finally:
            lib.close()
        if report.failed:
            raise QaBotError("the bundled demo data did not load: " + "; ".join(report.lines()[:3]))
        _move_into_place(tmp, folder)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return report


def _move_into_place(tmp: Path, folder: Path) -> None:
    if (folder / DB_NAME).exists():
        return  # another process finished first; keep its library
    old = None
    if folder.exists():  # a leftover without a database (e.g. an interrupted older build)
        old = folder.with_name(f".{folder.name}.old-{os.getpid()}")
        os.replace(folder, old)
    os.replace(tmp, folder)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    dir_fd = os.open(folder.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
