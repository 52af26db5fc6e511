"""An ``Answer`` as plain text for a terminal or a log (``qa-bot ask``): the answer's sentences with
their ``[n]`` markers, its note, the closest passages when it abstained, then each citation with its
quoted support and the authorities that support cites."""

from __future__ import annotations

from typing import Callable, Iterable

from ..types import CANNOT_ANSWER, Answer, Citation
from .cite import cite_passage

Links = Callable[[Citation], Iterable[tuple[str, str | None]]]  # citation -> (cited text, opinion id or None)


def format_answer(answer: Answer, links: Links | None = None) -> str:
    """The answer text, then each citation (full cite on an opinion's first use, short afterwards)
    with its quoted support and the authorities it cites."""
    lines = []
    for s in answer.sentences:
        line = s.display
        if not s.supported:
            line += f"  (UNSUPPORTED: {s.flag})"
        lines.append(line)
    out = ["\n".join(lines) if any(s.label for s in answer.sentences) else " ".join(lines)]
    if answer.note:
        out += ["", f"Note: {answer.note}"]
    if answer.retrieval is not None and answer.retrieval.note():
        out += ["", f"Search: {answer.retrieval.note()}"]
    if answer.abstained and answer.hits:
        out += ["", "Closest passages:"]
        for h in answer.hits[:5]:
            p = h.passage
            out.append(f"  - {cite_passage(p)[0]}: {p.text[:160]}{'...' if len(p.text) > 160 else ''}")
    seen: set[str] = set()
    if answer.citations:
        out.append("")
    for c in answer.citations:
        cite = c.short if c.opinion_id in seen else c.full
        seen.add(c.opinion_id)
        out.append(f"[{c.number}] {cite}")
        out.append(f"    \"{c.quote}\"")
        for text, oid in (links(c) if links else []):
            out.append(f"    cites {text}: {'in your library (' + oid + ')' if oid else 'not in your library'}")
    return "\n".join(out)


def answer_json(answer: Answer) -> dict:
    """The answer as JSON: what the chat's ``/ask`` API returns and ``qa-bot ask --json`` prints."""
    return {
        "question": answer.question,
        "answer": CANNOT_ANSWER if answer.abstained else answer.text,
        "abstained": answer.abstained,
        "support": answer.support,
        "verified": answer.verified,
        "answerer": answer.answerer,
        "note": answer.note,
        "retrieval": ({"requested": answer.retrieval.requested, "used": answer.retrieval.used,
                       "passages": answer.retrieval.passages, "embedded": answer.retrieval.embedded,
                       "note": answer.retrieval.note()} if answer.retrieval else None),
        "sentences": [{"text": s.text, "citations": list(s.citations), "supported": s.supported,
                       "support": s.support} for s in answer.sentences],
        "citations": [{"number": c.number, "full": c.full, "short": c.short, "pin": c.pin, "quote": c.quote,
                       "opinion_id": c.opinion_id, "passage_id": c.passage_id, "start": c.start, "end": c.end}
                      for c in answer.citations],
        "sources": [{"rank": h.rank, "score": h.score, "passage_id": h.passage.id, "opinion_id": h.passage.opinion_id,
                     "case_name": h.passage.case_name, "pin": h.passage.pin, "cite": cite_passage(h.passage)[0],
                     "text": h.passage.text}
                    for h in answer.hits],
    }
