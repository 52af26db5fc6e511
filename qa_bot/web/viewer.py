"""The opinion viewer's HTML: the opinion's text by paragraph with reporter pages in the margin, part
headings (majority, concurrence, dissent with their authors), sentence-role badges, footnotes with jump
links, and the highlighted passage a citation points at. Text is escaped with ``render.esc`` like all
HTML the chat builds."""

from __future__ import annotations

from ..types import Opinion
from .render import copy_button, esc


def _paragraph_spans(op: Opinion) -> list[tuple[int, int, str, str | None]]:
    """(start, end, kind, footnote label) of every paragraph; lines of the text when none are stored."""
    if op.paragraphs:
        return [(p.start, p.end, p.kind, p.footnote) for p in op.paragraphs]
    out, pos = [], 0
    for line in op.text.split("\n"):
        if line.strip():
            out.append((pos, pos + len(line), "body", None))
        pos += len(line) + 1
    return out


def _part_label(kind: str, author: str | None) -> str:
    names = {"majority": "Opinion of the court", "plurality": "Plurality opinion", "per curiam": "Per curiam",
             "concurrence": "Concurring opinion", "concurrence in part": "Concurring in part",
             "dissent": "Dissenting opinion", "other": "Opinion"}
    label = names.get(kind, kind.capitalize())
    return f"{label} — {author}" if author else label


ROLE_BADGES = {"holding": "the court's holding or conclusion", "disposition": "what the court does with the judgment",
               "rule": "a statement of a rule or test", "argument": "a party's argument, as the court reports it",
               "issue": "the question presented or issue framing"}


def render_opinion(op: Opinion, start: int | None = None, end: int | None = None) -> str:
    """The whole opinion: parts labelled, ``*page`` markers in the margin where pages begin, footnote
    markers linked to the footnotes (and back), the key sentences' roles badged, and ``[start, end)`` highlighted with the first
    highlighted piece carrying ``id="qv-target"`` (the viewer scrolls it into view)."""
    from ..answer.cite import full_cite

    text, m = op.text, op.meta
    hl = (max(0, start), min(len(text), end)) if start is not None and end is not None and end > start else None
    markers = {fn.marker: fn.label for fn in op.footnotes if fn.marker is not None}
    fn_first = {}
    for fn in op.footnotes:
        fn_first.setdefault(fn.label, fn.start)
    pages = list(op.pages)
    parts = sorted(op.parts, key=lambda p: p.start)
    try:
        cite = full_cite(m.case_name, m.citation, m.court_id, m.year)
    except Exception:
        cite = m.case_name
    out = ['<div class="qa-opinion">',
           f'<div class="qa-op-head"><div class="qa-op-title">{esc(m.case_name or op.id)}</div>'
           f'<div class="qa-op-meta">{esc(" · ".join(str(x) for x in (m.citation, m.court, m.year) if x))}</div>'
           f'<div class="qa-op-cite">{esc(cite)} {copy_button(cite)}</div>{_pin_note(op, hl)}</div>']
    state = {"target": False}
    placed: set[int] = set()  # footnote markers already drawn
    in_notes = False
    part_i = 0
    for a, b, kind, label in _paragraph_spans(op):
        if kind == "footnote" and not in_notes:
            out.append('<div class="qa-footnotes"><div class="qa-fn-h">Footnotes</div>')
            in_notes = True
        while part_i < len(parts) and parts[part_i].start < b and kind != "footnote":
            if len(parts) > 1 or parts[part_i].kind != "majority" or parts[part_i].author:
                pt = parts[part_i]
                out.append(f'<div class="qa-part" data-part="{esc(pt.kind)}">{esc(_part_label(pt.kind, pt.author))}</div>')
            part_i += 1
        inserts: dict[int, list[str]] = {}
        for off, page in pages:
            if a <= off < b:
                inserts.setdefault(off, []).append(
                    f'<span class="qa-pb" id="qv-page-{page}" data-page="{page}" title="page {page} begins">'
                    f'<span class="qa-page">*{page}</span></span>')
        for r in op.roles:  # what the key sentences are (qa_bot/ingest/roles.py), badged where they begin
            if a <= r.start < b and r.role in ROLE_BADGES:
                inserts.setdefault(r.start, []).append(
                    f'<span class="qa-role qa-role-{r.role}" title="{esc(ROLE_BADGES[r.role])}">{r.role}</span>')
        for off, lab in markers.items():
            if a <= off <= b and kind != "footnote" and off not in placed:
                placed.add(off)
                inserts.setdefault(off, []).append(
                    f'<sup class="qa-fnref"><a href="#" id="qv-fnref-{esc(lab)}" data-fn="{esc(lab)}">{esc(lab)}</a></sup>')
        attrs, prefix = f'class="qa-p qa-{esc(kind)}"', ""
        if kind == "footnote" and label is not None and fn_first.get(label) == a:
            attrs += f' id="qv-fn-{esc(label)}"'
            back = f'<a href="#" class="qa-fnback" data-fnback="{esc(label)}" title="back to the text">{esc(label)}↩</a> '
            prefix = back if any(lab == label for lab in markers.values()) else f"<b>{esc(label)}</b> "
        out.append(f"<p {attrs}>{prefix}{_segment(text, a, b, inserts, hl, state)}</p>")
    if in_notes:
        out.append("</div>")
    out.append("</div>")
    return "".join(out)


def _pin_note(op: Opinion, hl: tuple[int, int] | None) -> str:
    """"Highlighted passage: page *106" (or "... footnote 5, page *105") above the text."""
    if not hl:
        return ""
    page, fn = op.page_at(hl[0]), op.footnote_at(hl[0])
    where = " ".join(x for x in (f"footnote {esc(fn.label)}," if fn else "", f"page *{page}" if page else "") if x)
    return f'<div class="qa-op-pin">Highlighted passage{": " + where if where else ""}</div>'


def _segment(text: str, a: int, b: int, inserts: dict[int, list[str]], hl: tuple[int, int] | None,
             state: dict) -> str:
    cuts = {a, b} | {o for o in inserts if a <= o <= b}
    if hl:
        cuts |= {x for x in hl if a < x < b}
    cuts_l = sorted(cuts)
    out = []
    for i, s in enumerate(cuts_l):
        out.extend(inserts.get(s, ()))
        if i + 1 == len(cuts_l):
            break
        e = cuts_l[i + 1]
        piece = esc(text[s:e])
        if hl and hl[0] <= s and e <= hl[1] and piece:
            ident = "" if state["target"] else ' id="qv-target"'
            state["target"] = True
            piece = f'<mark class="qa-hl"{ident}>{piece}</mark>'
        out.append(piece)
    return "".join(out)
