"""``LibraryCache``: what is computed from a library's contents and kept between questions, in one place.

The answerer's term statistics (``answer.abstain.library_idf``), the case names it checks a question's
"X v. Y" against (``library_case_names``), its embedding function with the passage vectors it has
computed (``answer.ask.embedder``), and whatever else a stage derives from the whole library, live in
the one ``LibraryCache`` a ``Library`` owns (``lib.cache``). ``Library.ingest``, ``sync``, ``remove`` and
``edit`` clear it, so an answer never uses case names or statistics of the library as it was before.
A value may also carry a ``key`` (e.g. the BM25 index it was computed from): a value whose key no
longer matches is computed again, so a change made by another process is seen at its next search.
"""

from __future__ import annotations

import threading
from typing import Callable, TypeVar

T = TypeVar("T")
_MISSING = object()


class LibraryCache:
    def __init__(self) -> None:
        self._values: dict[str, tuple[object, object]] = {}
        self._lock = threading.Lock()
        self.cleared = 0  # how many times it was cleared (tests, diagnostics)

    def get(self, name: str, make: Callable[[], T], key: object = None) -> T:
        """The value cached under ``name`` for ``key``, made by ``make()`` when missing or of another key."""
        with self._lock:
            key_value = self._values.get(name, (_MISSING, None))
        if key_value[0] is not _MISSING and key_value[0] == key:
            return key_value[1]  # type: ignore[return-value]
        value = make()
        with self._lock:
            self._values[name] = (key, value)
        return value

    def clear(self) -> None:
        with self._lock:
            self._values.clear()
            self.cleared += 1

    def __contains__(self, name: str) -> bool:
        return name in self._values


def cache_of(lib) -> LibraryCache | None:
    """The library's cache, or None for a library-like object without one (then nothing is kept)."""
    cache = getattr(lib, "cache", None)
    return cache if isinstance(cache, LibraryCache) else None


def cached(lib, name: str, make: Callable[[], T], key: object = None) -> T:
    """``lib.cache.get(name, make, key)``, or ``make()`` when ``lib`` has no cache."""
    cache = cache_of(lib)
    return make() if cache is None else cache.get(name, make, key)
