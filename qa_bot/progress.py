"""The terminal progress printer the command line, ``qa-bot eval`` and ``qa-bot serve`` hand to
``Library.open`` / ``Library.ingest`` / ``sync``: a ``(stage, done, total)`` callback."""

from __future__ import annotations

import sys
from typing import Callable

Progress = Callable[[str, int, int], None]  # (stage, done, total)


def progress_printer(quiet: bool = False) -> Progress | None:
    """One tqdm bar per stage on stderr, with items/s and the ETA (a folder's total grows as it is read);
    ``None`` when ``quiet``."""
    if quiet:
        return None
    from tqdm import tqdm

    bars: dict[str, tqdm] = {}

    def progress(stage: str, done: int, total: int) -> None:
        bar = bars.get(stage)
        if bar is None:
            unit = "passage" if stage in ("embed", "bm25") else "file"
            bar = bars[stage] = tqdm(total=total, desc=stage, unit=unit, dynamic_ncols=True, file=sys.stderr)
        bar.total = total
        bar.update(done - bar.n)

    return progress
