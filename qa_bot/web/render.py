"""Pure HTML/Markdown/JSON rendering for the web chat (no gradio import, unit-testable).

Every piece of text that comes from an opinion, a file name or a question goes through ``esc``
(``html.escape``) before it is put into HTML built here; nothing is rendered as Markdown, so link or
HTML syntax inside opinion text stays inert text. Clickable things carry ``data-cite`` (open the
opinion viewer at ``opinion_id|start|end``), ``data-copy`` (copy text to the clipboard) or
``data-fn`` / ``data-fnback`` (footnote jumps); ``qa_bot.ui`` wires those attributes to handlers.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..answer.format import answer_json  # noqa: F401  (the /ask API's JSON, shared with qa-bot ask --json)
from ..types import CANNOT_ANSWER, Answer, Citation, Hit, Opinion, Passage

_GENERIC = frozenset(("court", "hold", "held"))  # in nearly every question about an opinion: no signal


_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")


def esc(value: object) -> str:
    """HTML-escape anything (quotes too: safe inside attribute values), without the bidirectional
    embedding, override and isolate controls: invisible, they would reorder what is shown around them
    (a citation or a figure read backwards) - the stored text keeps them."""
    return html.escape(_BIDI.sub("", "" if value is None else str(value)), quote=True)


# -- references carried by data-cite ----------------------------------------------------------------
def cite_ref(opinion_id: str, start: int, end: int) -> str:
    return f"{opinion_id}|{int(start)}|{int(end)}"


def parse_ref(ref: str) -> tuple[str, int, int]:
    """``"opinion_id|start|end"`` -> parts; ``ValueError`` naming the reference when malformed."""
    parts = str(ref or "").rsplit("|", 2)
    if len(parts) != 3 or not parts[0]:
        raise ValueError(f"citation reference {ref!r} is not 'opinion|start|end'")
    try:
        start, end = int(parts[1]), int(parts[2])
    except ValueError:
        raise ValueError(f"citation reference {ref!r} has non-numeric offsets") from None
    if start < 0 or end < start:
        raise ValueError(f"citation reference {ref!r} has offsets out of order")
    return parts[0], start, end


def _cite_link(c: Citation) -> str:
    return (f'<a href="#" class="qa-cite" data-cite="{esc(cite_ref(c.opinion_id, c.start, c.end))}" '
            f'title="{esc(c.full)}">[{c.number}]</a>')


def copy_button(text: str, label: str = "Copy") -> str:
    return f'<button type="button" class="qa-copy" data-copy="{esc(text)}" title="Copy the citation">{esc(label)}</button>'


def _quoted(text: str, n: int = 300) -> str:
    """“quote” (without doubling quotation marks the quote already has)."""
    text = _clip(text, n)
    return text if text[:1] in "“\"‘'" else f"“{text}”"


def _clip(text: str, n: int = 240) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


# -- chat -------------------------------------------------------------------------------------------
def render_answer(answer: Answer) -> str:
    """An answer: sentences with [n] links, a support note, then its numbered Bluebook citations (or,
    when it abstains, the abstention and the closest passages)."""
    by_number = {c.number: c for c in answer.citations}
    if answer.abstained:
        out = [f'<p class="qa-abstain"><strong>{esc(CANNOT_ANSWER)}</strong></p>']
        extra = [s.text for s in answer.sentences if s.text.strip() and s.text.strip() != CANNOT_ANSWER]
        if extra:
            out.append(f"<p>{esc(' '.join(extra))}</p>")
        out.append(render_retrieval(answer))
        if answer.hits:
            out.append('<p class="qa-closest-h">The closest passages:</p><ol class="qa-closest">')
            for h in answer.hits[:3]:
                p = h.passage
                out.append(
                    f'<li><a href="#" class="qa-src-link" data-cite="{esc(cite_ref(p.opinion_id, p.start, p.end))}">'
                    f"{esc(_passage_cite(p))}</a>: “{esc(_clip(p.text, 180))}”</li>")
            out.append("</ol>")
        return "".join(out)
    body = []
    for s in answer.sentences:
        links = "".join(" " + _cite_link(by_number[n]) if n in by_number else f" [{n}?]" for n in s.citations)
        cls = "qa-sent" if s.supported else "qa-sent qa-unsupported"
        title = f' title="{esc(s.flag)}"' if s.flag else ""
        label = f'<span class="qa-label">{esc(s.label)}</span> ' if s.label else ""
        body.append(f'<span class="{cls}"{title}>{label}{esc(s.text)}{links}</span>')
    if any(s.label for s in answer.sentences):  # quoted sentences labelled with what they are: one a line
        out = ['<div class="qa-answer-text qa-labelled">' + "".join(f"<p>{b}</p>" for b in body) + "</div>"]
    else:
        out = [f'<p class="qa-answer-text">{" ".join(body)}</p>']
    if answer.note:
        out.append(f'<p class="qa-note">{esc(answer.note)}</p>')
    out.append(render_retrieval(answer))
    if answer.citations:
        out.append('<ol class="qa-cites">')
        for c in answer.citations:
            out.append(
                f'<li value="{c.number}">{_cite_link(c)} <span class="qa-full">{esc(c.full)}</span> '
                f'{copy_button(c.full)}<div class="qa-quote">{esc(_quoted(c.quote))}</div></li>')
        out.append("</ol>")
    return "".join(out)


def render_retrieval(answer: Answer) -> str:
    """Which search the answer came from (``Answer.retrieval``), and why when it is not the one asked for
    or the vectors are still being built."""
    r = answer.retrieval
    if r is None:
        return ""
    note = r.note()
    cls = "qa-mode qa-mode-partial" if note else "qa-mode"
    return (f'<p class="{cls}" data-mode="{esc(r.used)}">Search: {esc(r.label())}'
            + (f" — {esc(note)}" if note else "") + "</p>")


def render_pending(text: str) -> str:
    """A streaming (not yet verified) answer: plain escaped text and a cursor."""
    return f'<p class="qa-answer-text qa-pending">{esc(text)}<span class="qa-cursor">▍</span></p>'


def render_error(message: str) -> str:
    return f'<p class="qa-error">⚠ {esc(message)}</p>'


@dataclass
class Turn:
    """One question and the HTML of its reply (already rendered and escaped)."""

    question: str
    reply_html: str


def render_chat(turns: Sequence[Turn]) -> str:
    if not turns:
        return ('<div class="qa-chat qa-empty">Ask a question about the opinions in the library, e.g. '
                '<em>What did the court hold about qualified immunity?</em></div>')
    out = ['<div class="qa-chat">']
    for i, t in enumerate(turns):
        out.append(f'<div class="qa-msg qa-user" data-turn="{i}">{esc(t.question)}</div>')
        out.append(f'<div class="qa-msg qa-bot" data-turn="{i}">{t.reply_html}</div>')
    out.append("</div>")
    return "".join(out)


# -- sources ----------------------------------------------------------------------------------------
def _passage_cite(p: Passage) -> str:
    from ..answer.cite import cite_passage

    try:
        return cite_passage(p)[0]
    except Exception:  # a passage with odd metadata must still be listed
        return p.case_name or p.opinion_id


def highlight(text: str, spans: Iterable[tuple[int, int]], first_id: str = "") -> str:
    """Escape ``text`` and wrap the (relative, possibly overlapping) ``spans`` in ``<mark>``."""
    spans = sorted((max(0, s), min(len(text), e)) for s, e in spans if e > s and s < len(text) and e > 0)
    merged: list[list[int]] = []
    for s, e in spans:
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    out, pos = [], 0
    for i, (s, e) in enumerate(merged):
        out.append(esc(text[pos:s]))
        ident = f' id="{esc(first_id)}"' if first_id and i == 0 else ""
        out.append(f"<mark{ident}>{esc(text[s:e])}</mark>")
        pos = e
    out.append(esc(text[pos:]))
    return "".join(out)


def best_sentence(text: str, question: str) -> tuple[int, int] | None:
    """The span of the sentence in ``text`` (the chunker's legal-aware splitter) sharing most search
    terms (the BM25 tokeniser's stemmed, stopword-free terms) with ``question``."""
    from ..index.lexical import tokenize
    from ..ingest.sentences import split

    q = set(tokenize(question)) - _GENERIC
    best, score = None, 0
    for a, b in split(text):
        k = len(q & set(tokenize(text[a:b])))
        if k > score:
            best, score = (a, b), k
    return best


def supporting_spans(hit: Hit, answer: Answer | None, question: str = "") -> tuple[list[tuple[int, int]], list[int]]:
    """(spans relative to the passage text to highlight, citation numbers that use this passage)."""
    p = hit.passage
    used = [c for c in (answer.citations if answer else ()) if c.passage_id == p.id
            or (c.opinion_id == p.opinion_id and c.start < p.end and c.end > p.start)]
    spans = [(c.start - p.start, c.end - p.start) for c in used]
    if not spans and question:
        best = best_sentence(p.text, question)
        spans = [best] if best else []
    return spans, [c.number for c in used]


def render_sources(hits: Sequence[Hit], answer: Answer | None = None, question: str = "") -> str:
    """The retrieved passages as cards (the whole card opens the viewer at its highlighted words);
    with no hits: "No passages matched" after a question, a hint before any."""
    if not hits:
        return render_sources_message("No passages matched (check the filters)." if question else
                                      "The passages behind an answer appear here, each with its pin cite.")
    out = ['<div class="qa-sources">']
    for h in hits:
        p = h.passage
        spans, numbers = supporting_spans(h, answer, question)
        used = (f'<span class="qa-badge qa-used">used in answer [{", ".join(map(str, numbers))}]</span>' if numbers
                else '<span class="qa-badge qa-unused">not used</span>')
        where = " · ".join(esc(x) for x in (p.court or p.court_id, p.year or "", f"at {p.pin}" if p.pin else "",
                                               p.part if p.part and p.part != "majority" else "") if x)
        ref = cite_ref(p.opinion_id, p.start + spans[0][0], p.start + spans[0][1]) if spans else \
            cite_ref(p.opinion_id, p.start, p.end)
        full = _passage_cite(p)
        out.append(
            f'<div class="qa-source" data-rank="{h.rank}" data-cite="{esc(ref)}" title="Open in the opinion viewer">'
            f'<div class="qa-src-head"><span class="qa-rank">#{h.rank}</span> '
            f'<a href="#" class="qa-src-link" data-cite="{esc(ref)}"><strong>{esc(p.case_name or p.opinion_id)}</strong></a> '
            f'<span class="qa-score">score {h.score:.3f}</span> {used}</div>'
            f'<div class="qa-src-meta">{where}</div>'
            f'<div class="qa-src-cite">{esc(full)} {copy_button(full)}</div>'
            f'<div class="qa-src-text">{highlight(p.text, spans)}</div></div>')
    out.append("</div>")
    return "".join(out)


def render_sources_message(text: str) -> str:
    return f'<div class="qa-sources qa-empty">{esc(text)}</div>'


def render_note(text: str) -> str:
    return f'<p class="qa-note-ok">{esc(text)}</p>'


# -- library tab ------------------------------------------------------------------------------------
def render_ingest(rows: Sequence[tuple[str, str, str]]) -> str:
    """(file name, status, detail) rows -> a result table."""
    if not rows:
        return '<div class="qa-empty">No files.</div>'
    out = ['<table class="qa-table qa-ingest"><tr><th>file</th><th>result</th><th>detail</th></tr>']
    for name, status, detail in rows:
        out.append(f'<tr class="qa-{esc(status)}"><td>{esc(name)}</td><td><b>{esc(status)}</b></td>'
                   f"<td>{esc(detail)}</td></tr>")
    out.append("</table>")
    return "".join(out)


def render_opinions(rows: Sequence[tuple[str, object, int]]) -> str:
    """``store.opinions()`` rows (id, Meta, passages) -> a table; case names open the viewer."""
    out = [f'<div class="qa-count">{len(rows)} opinion(s)</div><table class="qa-table qa-lib">'
           "<tr><th>case</th><th>citation</th><th>court</th><th>year</th><th>passages</th></tr>"]
    for oid, meta, n in rows:
        name = getattr(meta, "case_name", "") or oid
        out.append(
            f'<tr><td><a href="#" class="qa-src-link" data-cite="{esc(cite_ref(oid, 0, 0))}">{esc(name)}</a></td>'
            f"<td>{esc(getattr(meta, 'citation', ''))}</td><td>{esc(getattr(meta, 'court', '') or getattr(meta, 'court_id', ''))}</td>"
            f"<td>{esc(getattr(meta, 'year', '') or '')}</td><td>{n}</td></tr>")
    out.append("</table>")
    return "".join(out)


# -- export -----------------------------------------------------------------------------------------
def download_name(answer: Answer) -> str:
    """"answer-what-did-the-court-hold-about-qualified-immunity.md": the question's first words."""
    import re

    words = re.findall(r"[a-z0-9]+", answer.question.lower())[:8]
    return "answer-" + ("-".join(words) or "qa-bot")[:60].strip("-") + ".md"


def answer_markdown(answer: Answer) -> str:
    """The answer, its citations and their quoted support as a Markdown document."""
    def md(s: str) -> str:  # keep opinion text inert in Markdown viewers
        return html.escape(" ".join(s.split()), quote=False).replace("[", "\\[").replace("]", "\\]")

    lines = [f"# {md(answer.question)}", ""]
    if answer.abstained:
        lines += [CANNOT_ANSWER, ""]
    else:
        sentences = [(f"**{md(s.label)}:** " if s.label else "") + md(s.text) + "".join(f" [{n}]" for n in s.citations)
                     for s in answer.sentences]
        lines += ["\n\n".join(sentences) if any(s.label for s in answer.sentences) else " ".join(sentences), ""]
    if answer.note:
        lines += [f"*{md(answer.note)}*", ""]
    if answer.retrieval is not None and answer.retrieval.note():
        lines += [f"*Search: {md(answer.retrieval.note())}*", ""]
    if answer.citations:
        lines += ["## Citations", ""]
        for c in answer.citations:
            lines += [f"{c.number}. {md(c.full)}", "", f"   > {md(c.quote)}", ""]
    elif answer.hits:
        lines += ["## Closest passages", ""]
        for h in answer.hits[:3]:
            lines += [f"- {md(_passage_cite(h.passage))}: > {md(_clip(h.passage.text, 300))}"]
    return "\n".join(lines).rstrip() + "\n"
