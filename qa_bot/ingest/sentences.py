"""Sentence splitting that survives legal writing.

A boundary is sentence punctuation (plus closing quotes/brackets) followed by whitespace and a
sentence opener, unless the word before it is a legal abbreviation ("v.", "U.S.", "F.3d", "Id.",
"e.g.", "Cir.", "No.", "Mr.", "J.") or the boundary falls inside a citation span (eyecite's), which
the caller passes as ``protected``. Lower-case corpus text (no capitals to open a sentence, often no
space after the full stop) is split at any full stop after a plain word.

Sentences are returned as (start, end) spans of the text: trimmed, in order, covering every
non-whitespace character of the range.
"""

from __future__ import annotations

import bisect
import itertools
import re
from typing import TYPE_CHECKING, Sequence

if TYPE_CHECKING:
    from ..types import Opinion

ABBREVIATIONS = frozenset("""
v vs cf id ibid e.g i.e viz al etc seq n nn p pp para paras ch cl art arts sec secs amend const
mr mrs ms messrs dr st jr sr j jj c.j hon lt sgt capt det col gen maj adm sen rep prof insp no nos co corp inc ltd bros assn ass'n dep't dept gov govt
univ comm'n cir ct cts app supp dist div stat ann rev reg regs fed crim civ proc evid r compl br tr op
pet resp aff decl ex exs supra infra u.s u.s.c f s.ct l.ed cong sess h.r s.rep pub l
cal ill mass pa tex fla ga va md conn mich minn wis ariz colo okla ore wash ala miss ky tenn neb kan
nev del vt me ind mo ark la n.y n.j n.c s.c n.d s.d n.h r.i w.va d.c e.d s.d.n.y e.d.n.y
jan feb mar apr jun jul aug sep sept oct nov dec
""".split())

_END = re.compile(r"[.!?]+[\"”’')\]]*")
_OPENERS = "\"“‘'([§¶"
_LEADING = "(\"“‘'["
_SPACE = re.compile(r"\s")
_NONSPACE = re.compile(r"\S")
_DOT = re.compile(r"\.")
_LONG_WORD = 40  # longer than any abbreviation: only whether it holds a "." matters


def _is_abbreviation(word: str) -> bool:
    """``word`` is the text before the full stop, back to the previous whitespace."""
    w = word.lstrip(_LEADING)
    if not w or not w[-1].isalpha():
        return False  # "1983." or "(l)." end sentences
    low = w.lower()
    if low in ABBREVIATIONS:
        return True
    if len(w) == 1:
        return True  # an initial: "J.", "A."
    if "." in w:
        return True  # "U.S", "S.Ct", "N.Y", "F.Supp"
    return False


def _word_before(region: str, at: int, spaces: list[int], dots: list[int]) -> str:
    """The word ending at ``at`` (back to the previous whitespace); a long one is cut to its last
    ``_LONG_WORD`` characters, keeping a "." it holds further back, which is all ``_is_abbreviation``
    looks at in a word that long."""
    i = bisect.bisect_left(spaces, at)
    begin = spaces[i - 1] + 1 if i else 0
    if at - begin <= _LONG_WORD:
        return region[begin:at]
    tail = region[at - _LONG_WORD:at]
    j = bisect.bisect_left(dots, begin)
    has_dot = j < len(dots) and dots[j] < at
    return ("." if has_dot and "." not in tail else "") + tail


def split(text: str, start: int = 0, end: int | None = None,
          protected: list[tuple[int, int]] | None = None) -> list[tuple[int, int]]:
    """Sentence spans of ``text[start:end]``; ``protected`` spans (sorted) are never split."""
    end = len(text) if end is None else end
    region = text[start:end]
    letters = [c for c in region if c.isalpha()]
    lower_case = bool(letters) and sum(c.isupper() for c in letters) * 50 < len(letters)
    prot = sorted(protected or [])
    prot_starts = [a for a, _ in prot]
    reach = list(itertools.accumulate((b for _, b in prot), max))  # furthest end among spans so far

    def inside_citation(pos: int) -> bool:
        """A cut at ``pos`` would fall strictly inside a protected span."""
        i = bisect.bisect_left(prot_starts, pos) - 1
        return i >= 0 and reach[i] > pos

    # Whitespace and full stops of the region, so that the word before each boundary is found by
    # bisection: slicing the text before (or after) every boundary is quadratic in the length of a
    # paragraph with many full stops ("x. x. x. ..." in a hostile upload).
    spaces = [m.start() for m in _SPACE.finditer(region)]
    dots = [m.start() for m in _DOT.finditer(region)]
    cuts = []
    for m in _END.finditer(region):
        cut = start + m.end()
        following = _NONSPACE.search(region, m.end())
        if following is None:
            break
        nxt_at = following.start()
        gap = nxt_at - m.end()
        nxt = region[nxt_at]
        if lower_case:
            if not (nxt.isalpha() or nxt in _OPENERS):
                continue
        elif gap == 0 or not (nxt.isupper() or nxt in _OPENERS):
            continue
        punct = m.group()
        if punct.startswith("...") and not punct.startswith("...."):
            continue  # an ellipsis inside a quotation
        if punct[0] == ".":
            word = _word_before(region, m.start(), spaces, dots)
            if word.lstrip(_LEADING) == "Id" and (nxt.isupper() or nxt in "“\""):
                pass  # "Id." standing alone is a whole citation sentence
            elif _is_abbreviation(word):
                continue
        if inside_citation(cut):
            continue
        cuts.append(cut)
    return _spans(text, start, end, cuts)


def _spans(text: str, start: int, end: int, cuts: list[int]) -> list[tuple[int, int]]:
    out = []
    for a, b in zip([start] + cuts, cuts + [end]):
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if a < b:
            out.append((a, b))
    return out


def words(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Whitespace-separated word spans of ``text[start:end]``."""
    return [(start + m.start(), start + m.end()) for m in re.finditer(r"\S+", text[start:end])]


def sentence_spans(text: str, offset: int = 0, protect: Sequence[tuple[int, int]] = ()) -> list[tuple[int, int]]:
    """(start, end) of each sentence of ``text``, shifted by ``offset``, never splitting inside a
    ``protect`` span (absolute offsets: the opinion's citations). The chunker's splitter
    (this module's), so answer sentences and passage boundaries agree."""
    spans = split(text, 0, None, sorted((a - offset, b - offset) for a, b in protect))
    return [(a + offset, b + offset) for a, b in spans]


def opinion_sentences(op: Opinion, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence spans of ``op.text[start:end]`` (offsets into the opinion), never splitting a citation
    eyecite found in it."""
    protect = [(c.start, c.end) for c in op.cites if c.end > start and c.start < end]
    return sentence_spans(op.text[start:end], start, protect)
