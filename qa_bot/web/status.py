"""The chat's status line: how far the library is (opinions stored, passages with vectors, the
embedding rate and ETA, or what stopped it), from ``Library.index_status()``. Escaped like everything
in ``render``."""

from __future__ import annotations

from .render import esc


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{max(1, round(seconds))} s"
    if seconds < 5400:
        return f"{round(seconds / 60)} min"
    return f"{seconds / 3600:.1f} h"


def render_status(st: dict, background: bool = True) -> str:
    """The library's state for the status line (``Library.index_status()``): passages parsed, how many
    have vectors, the embedding rate and ETA while they fill in, or the worker's error."""
    n, vec = int(st.get("passages") or 0), int(st.get("vectors") or 0)
    parts = [f"{n:,} passages searchable by keyword (BM25)" if st.get("bm25") else f"{n:,} passages stored"]
    b = st.get("building")
    if b:
        parts.insert(0, f"building the library: {b['done']} of {b['total'] or '?'} files stored, answers cover those")
        if b.get("error"):
            parts.append(f"the build stopped: {b['error']}")
    if n and vec >= n and not b:
        parts.append("vectors complete: hybrid search over everything")
        cls = "qa-status qa-status-ready"
    else:
        pct = int(100 * vec / n) if n else 0
        cls = "qa-status qa-status-building"
        line = f"vectors {vec:,} of {n:,} ({pct}%)"
        if st.get("state") == "embedding" and st.get("eta_seconds") is not None:
            line += f", about {_duration(st['eta_seconds'])} left"
            if st.get("rate"):
                line += f" at {st['rate']:.0f} passages/s"
        elif st.get("state") in ("starting", "indexing", "embedding"):
            line += ", embedding started"
        elif not background:
            line += " (run qa-bot sync to embed the rest)"
        parts.append(line)
        parts.append("until then answers use BM25 over every passage and vectors over the embedded part")
    if st.get("synthetic_vectors"):  # a benchmark library (eval/synthetic_vectors.py): never pass it off as real
        parts.append("its vectors are SYNTHETIC (made for a benchmark, not from these passages): dense and hybrid "
                     "rankings are meaningless; qa-bot sync --rebuild embeds real ones")
        cls = "qa-status qa-status-error"
    if st.get("error") or (b and b.get("error")):
        cls = "qa-status qa-status-error"
        if st.get("error"):
            parts.append(f"vector building stopped: {st['error']}")
    return f'<div class="{cls}">{" · ".join(esc(p) for p in parts)}</div>'
