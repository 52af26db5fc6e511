"""The terminal progress printer the command line, ``qa-bot eval`` and ``qa-bot serve`` hand to
``Library.open`` / ``Library.ingest`` / ``sync``: a ``(stage, done, total)`` callback.

One stage is shown at a time ("ingest" in files, "bm25" and "embed" in passages; a total of 0 means not
known). On a terminal it is a tqdm bar with its rate and ETA, closed as soon as the stage is done or
another begins, so its last line shows that stage's own rate (a bar left open until the program ends
re-prints a rate that counts the time spent after it). Anywhere else - a log file, CI, ``nohup`` - it
prints plain lines, never cursor-movement codes: one when a stage begins, at most one every
``LOG_SECONDS`` with percent, rate and ETA, and one when it ends.
"""

from __future__ import annotations

import sys
import time
from typing import Callable, TextIO

Progress = Callable[[str, int, int], None]  # (stage, done, total)
LOG_SECONDS = 10.0
RATE_SECONDS = 0.5  # a stage over sooner has no rate worth printing (3 passages in a microsecond)
UNITS = {"ingest": "file", "opinions": "opinion", "bm25": "passage", "embed": "passage"}


def progress_printer(quiet: bool = False, stream: TextIO | None = None, tty: bool | None = None) -> Progress | None:
    """The printer for ``stream`` (default stderr): tqdm bars on a terminal, plain lines elsewhere
    (``tty`` overrides the check); ``None`` when ``quiet``."""
    if quiet:
        return None
    stream = stream or sys.stderr
    if tty is None:
        tty = bool(getattr(stream, "isatty", lambda: False)())
    return (_Bars if tty else _Lines)(stream)


class _Stage:
    def __init__(self, name: str, total: int):
        self.name, self.total, self.start, self.done = name, total, time.monotonic(), 0

    def rate(self, now: float) -> float:
        return self.done / max(now - self.start, 1e-9)

    def line(self, now: float, final: bool = False) -> str:
        unit = UNITS.get(self.name, "item")
        plural = f"{unit}s"
        if self.total:
            head = f"{self.name}: {self.done:,}/{self.total:,} {plural} ({100 * self.done / self.total:.0f}%)"
        else:
            head = f"{self.name}: {self.done:,} {plural}"
        rate = self.rate(now)
        tail = f", {rate:.1f} {plural}/s" if self.done and now - self.start >= RATE_SECONDS else ""
        if final:
            return f"{head} in {_clock(now - self.start)}{tail}"
        if self.total and self.done and rate > 0:
            tail += f", about {_clock((self.total - self.done) / rate)} left"
        return head + tail


def _clock(seconds: float) -> str:
    s = int(round(seconds))
    return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"


class _Lines:
    """Plain lines for logs."""

    def __init__(self, stream: TextIO):
        self.stream, self.stage, self.last, self.finished = stream, None, 0.0, None

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if (stage, total) == self.finished and done >= total:
            return  # the stage that just ended, reported once more
        if self.stage is None or self.stage.name != stage:
            self._end(now)
            self.stage, self.last = _Stage(stage, total), now
            self._print(f"{stage}: started" + (f", {total:,} {UNITS.get(stage, 'item')}s" if total else ""))
        st = self.stage
        st.total, st.done = total, done
        if total and done >= total:
            self._end(now)
        elif now - self.last >= LOG_SECONDS:
            self.last = now
            self._print(st.line(now))

    def _end(self, now: float) -> None:
        if self.stage is not None and (self.stage.done or self.stage.total):
            self._print(self.stage.line(now, final=True))
            self.finished = (self.stage.name, self.stage.total)
        self.stage = None

    def _print(self, text: str) -> None:
        print(text, file=self.stream, flush=True)


class _Bars:
    """A tqdm bar for the current stage on a terminal."""

    def __init__(self, stream: TextIO):
        self.stream, self.name, self.bar, self.finished = stream, None, None, None

    def __call__(self, stage: str, done: int, total: int) -> None:
        from tqdm import tqdm

        if (stage, total) == self.finished and done >= total:
            return  # the stage that just ended, reported once more
        if self.name != stage:
            self._close()
            self.name = stage
            self.bar = tqdm(total=total or None, desc=stage, unit=UNITS.get(stage, "item"), dynamic_ncols=True,
                            file=self.stream, position=0, leave=True)
        self.bar.total = total or None
        self.bar.update(done - self.bar.n)
        if total and done >= total:
            self.finished = (stage, total)
            self._close()

    def _close(self) -> None:
        if self.bar is not None:
            self.bar.close()
        self.bar = self.name = None
