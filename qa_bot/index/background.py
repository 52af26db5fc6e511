"""Vectors filled in behind the chat: one daemon thread per open library embeds what the vectors lack.

``Background.start()`` loads the embedding model (so the first answer does not wait for it), runs
``sync.prepare`` once (BM25 and stale ids up to date), then
``sync.fill_vectors`` whenever passages lack vectors: after ``wake()`` (an upload was ingested) or every
``poll_seconds`` (another process may have added some). Vectors are committed every
``checkpoint_seconds``, so hybrid search takes them as they land, and a stopped or killed server
resumes by missing ids. The thread (and the threads its encoder starts) runs at a lower CPU priority
(nice +10, Linux) so answers keep their speed on a 2-core machine while it works; it never holds a lock
a search takes (see ``qa_bot.index.writer``).

``status()`` is what the chat shows: the state, passages embedded so far, the rate and an ETA.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from pathlib import Path
from typing import Callable

from ..ingest.store import Store
from ..settings import Settings
from . import sync

log = logging.getLogger(__name__)

CHECKPOINT_SECONDS = 15.0  # searches see new vectors this often while a fill runs behind the chat
CHUNK = 256  # passages per embedding round: how soon a stop or a checkpoint is noticed
POLL_SECONDS = 30.0
NICE = 10


def lower_priority(step: int = NICE) -> None:
    """Lower this thread's CPU priority (Linux: nice is per thread and inherited by the threads it
    starts, such as torch's OpenMP workers). Best effort; a no-op elsewhere."""
    if not sys.platform.startswith("linux"):
        return
    try:
        tid = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, tid, min(19, os.getpriority(os.PRIO_PROCESS, tid) + step))
    except OSError:
        pass


class Background:
    def __init__(self, folder: Path, store: Store, settings: Settings, embedder: Callable[[], object],
                 checkpoint_seconds: float = CHECKPOINT_SECONDS, chunk: int = CHUNK,
                 poll_seconds: float = POLL_SECONDS, nice: int = NICE):
        self.folder, self.store, self.settings = Path(folder), store, settings
        self._embedder = embedder  # called in the worker: loading the model is part of the work
        self.checkpoint_seconds, self.chunk, self.poll_seconds, self.nice = checkpoint_seconds, chunk, poll_seconds, nice
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._guard = threading.Lock()
        self._state = "starting"
        self._done = self._total = 0
        self._started = 0.0
        self._rate: float | None = None
        self._error = ""
        self._asked = 0  # wake() calls so far
        self._idle = threading.Event()  # set when nothing was left to embed after the last wake()

    # -- control ----------------------------------------------------------------------------------
    def start(self) -> "Background":
        with self._guard:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=f"qa-bot-embed:{self.folder.name}",
                                                daemon=True)
                self._thread.start()
        self.wake()
        return self

    def wake(self) -> None:
        """Passages were added: look for missing vectors now."""
        with self._guard:
            self._asked += 1
            self._idle.clear()
        self._wake.set()

    def stop(self, timeout: float | None = 60.0) -> None:
        """Stop after the current embedding round, committing what it embedded."""
        self._stop.set()
        self._wake.set()
        t = self._thread
        if t is not None and t is not threading.current_thread():
            t.join(timeout)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Wait until nothing is left to embed (or the worker stopped with an error)."""
        return self._idle.wait(timeout)

    def status(self) -> dict:
        with self._guard:
            out = {"state": self._state, "embedding_done": self._done, "embedding_total": self._total,
                   "rate": self._rate, "eta_seconds": None, "error": self._error}
        if out["rate"] and out["embedding_total"] > out["embedding_done"]:
            out["eta_seconds"] = (out["embedding_total"] - out["embedding_done"]) / out["rate"]
        return out

    # -- the worker -------------------------------------------------------------------------------
    def _warm_up(self) -> None:
        try:
            self._embedder().dim  # loads the model (once per process, shared with the answers)
        except Exception as e:  # noqa: BLE001 - the fill reports it when it needs the model
            log.warning("loading the embedding model failed: %s", e)

    def _set(self, **fields) -> None:
        with self._guard:
            for k, v in fields.items():
                setattr(self, "_" + k, v)

    def _progress(self, stage: str, done: int, total: int) -> None:
        if stage != "embed":
            return
        elapsed = time.monotonic() - self._started
        self._set(done=done, total=total, rate=done / elapsed if done and elapsed > 0 else None)

    def _run(self) -> None:
        # Load the model first, at normal priority and in a thread of its own: an answer waiting for the
        # same model must not wait behind a low-priority load, and this thread's own encoder workers
        # (created at its first encode) must inherit the lower priority set after it.
        warm = threading.Thread(target=self._warm_up, name="qa-bot-model-load", daemon=True)
        warm.start()
        warm.join()
        if self.nice:
            lower_priority(self.nice)
        prepared = False
        while not self._stop.is_set():
            self._wake.clear()
            with self._guard:
                asked = self._asked
            try:
                if not prepared:
                    self._set(state="indexing")
                    sync.prepare(self.folder, self.store, self.settings)
                    prepared = True
                missing = sync.missing_vectors(self.folder, self.store)
                if missing:
                    self._set(state="embedding", done=0, total=len(missing), rate=None, error="")
                    self._started = time.monotonic()
                    sync.fill_vectors(self.folder, self.store, self.settings, self._embedder(), self._progress,
                                      checkpoint_seconds=self.checkpoint_seconds, chunk=self.chunk, stop=self._stop)
                    continue  # passages may have been added meanwhile
                self._set(state="complete", done=0, total=0, rate=None, error="")
                with self._guard:
                    if asked == self._asked:
                        self._idle.set()
            except Exception as e:  # noqa: BLE001 - shown in the chat's status line; retried at the next wake
                log.warning("background embedding of %s failed: %s", self.folder, e)
                self._set(state="error", error=str(e))
                self._idle.set()
            self._wake.wait(self.poll_seconds)
        self._set(state="stopped")
        self._idle.set()
