"""Evaluation sets (``/work/shared/eval-format.md``): reading, validating, and matching text to evidence.

A set is JSONL, one question per line::

    {"id": "...", "question": "...", "answerable": true,
     "evidence": [{"quote": "...", "case": "...", "citation": "...", "pin": "111 n.18"}],
     "reference_answer": "...", "tags": ["holding"]}

``load_set`` checks every line and raises one ``EvalSetError`` listing every problem (file, line, field,
why); an empty set is an error too.

Matching (``supports``): both texts are normalised (NFKC, lower case, curly quotes and dashes to ASCII,
whitespace runs to one space). A text supports an evidence item when it comes from the required opinion
(case name compared on letters and digits only, or reporter citation compared the same way; either one
given that matches is enough) and it contains the whole quote or shares one contiguous run covering at
least 60% of the quote's characters. The run test is exact and fast: a run of length L exists iff some
length-L window of the quote occurs in the text, which is a C-level ``in`` per window.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterable

from ..errors import InputError, QaBotError
from ..text import decode_utf8, nfkc, normalize

MIN_RUN = 0.6  # share of the quote's characters one contiguous shared run must cover
PIN_RE = re.compile(r"^\d+(?: n\.[0-9A-Za-z*\u2020\u2021]+)?$")  # "111" or "111 n.18"

_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


class EvalSetError(QaBotError):
    """An evaluation set that cannot be used; ``problems`` holds one "line N: field: why" per problem."""

    def __init__(self, path: str | Path, problems: list[str]):
        self.path = str(path)
        self.problems = problems
        shown = problems[:50]
        more = f"\n  ... and {len(problems) - 50} more" if len(problems) > 50 else ""
        head = f"{self.path}: {len(problems)} problem{'s' if len(problems) != 1 else ''} in evaluation set"
        super().__init__(head + "".join(f"\n  {self.path}:{p}" for p in shown) + more)


@dataclass(frozen=True)
class Evidence:
    quote: str
    case: str = ""
    citation: str = ""
    pin: str = ""

    @property
    def norm_quote(self) -> str:
        return normalize(self.quote)


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    answerable: bool = True
    evidence: tuple[Evidence, ...] = ()
    reference_answer: str = ""
    tags: tuple[str, ...] = ()
    line: int = 0


@dataclass(frozen=True)
class EvalSet:
    name: str
    path: str
    questions: tuple[Question, ...] = field(default_factory=tuple)

    def __len__(self) -> int:
        return len(self.questions)


# -- normalisation and matching ---------------------------------------------------------------------
@lru_cache(maxsize=65536)
def name_key(name: str) -> str:
    """A case name or citation without case, accents, punctuation or spacing: "Pena v. DePrisco" -> "penavdeprisco"."""
    decomposed = unicodedata.normalize("NFKD", nfkc(name))
    ascii_ = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _NOT_ALNUM.sub("", ascii_.lower())


def has_run(quote: str, text: str, share: float = MIN_RUN) -> bool:
    """True when the (already normalised) ``text`` contains ``quote`` whole, or one contiguous run of
    it covering at least ``share`` of its characters."""
    n = len(quote)
    if n == 0:
        return False
    if quote in text:
        return True
    need = max(1, math.ceil(share * n - 1e-9))
    if need > len(text):
        return False
    # Any run of length ``need`` holds a whole block quote[j*m:(j+1)*m] for m = need // 2, so texts that
    # hold no block are rejected with a handful of searches; only blocks found are then extended.
    m = max(1, need // 2)
    for j in range(0, n - m + 1, m):
        if quote[j : j + m] in text:
            lo, hi = max(0, j + m - need), min(j, n - need)
            if any(quote[i : i + need] in text for i in range(lo, hi + 1)):
                return True
    return False


def longest_run(quote: str, text: str) -> int:
    """Length of the longest substring ``quote`` and ``text`` share (diagnostics; uses difflib)."""
    from difflib import SequenceMatcher

    m = SequenceMatcher(None, quote, text, autojunk=False).find_longest_match(0, len(quote), 0, len(text))
    return m.size


def same_opinion(item: Evidence, case_name: str, citations: Iterable[str]) -> bool:
    """Does an opinion with this case name / these citations satisfy the item's ``case``/``citation``?"""
    if not item.case and not item.citation:
        return True
    if item.case and name_key(item.case) and name_key(item.case) == name_key(case_name or ""):
        return True
    if item.citation:
        want = name_key(item.citation)
        return bool(want) and any(want == name_key(c) for c in citations if c)
    return False


def supports(item: Evidence, text: str, case_name: str = "", citations: Iterable[str] = (),
             normalized: bool = False) -> bool:
    """Does ``text`` (from the opinion named by ``case_name``/``citations``) support the evidence item?"""
    if not same_opinion(item, case_name, citations):
        return False
    return has_run(item.norm_quote, text if normalized else normalize(text))


# -- reading ----------------------------------------------------------------------------------------
def _str_field(obj: dict, key: str, where: str, problems: list[str], required: bool) -> str:
    value = obj.get(key)
    if value is None:
        if required:
            problems.append(f"{where}: field '{key}' is required")
        return ""
    if not isinstance(value, str):
        problems.append(f"{where}: field '{key}' must be a string, not {type(value).__name__}")
        return ""
    if required and not value.strip():
        problems.append(f"{where}: field '{key}' is empty")
    return value


def _question(obj: object, lineno: int, problems: list[str]) -> Question | None:
    where = f"{lineno}"
    if not isinstance(obj, dict):
        problems.append(f"{where}: a line must be a JSON object, not {type(obj).__name__}")
        return None
    n0 = len(problems)
    qid = _str_field(obj, "id", where, problems, required=True)
    if qid:
        where = f"{lineno}: id {qid!r}"
    text = _str_field(obj, "question", where, problems, required=True)
    answerable = obj.get("answerable", True)
    if not isinstance(answerable, bool):
        problems.append(f"{where}: field 'answerable' must be true or false, not {answerable!r}")
        answerable = True
    raw_ev = obj.get("evidence", [])
    if raw_ev is None:
        raw_ev = []
    if not isinstance(raw_ev, list):
        problems.append(f"{where}: field 'evidence' must be a list of objects")
        raw_ev = []
    if answerable and not raw_ev:
        problems.append(f"{where}: field 'evidence' is required and must be non-empty when answerable")
    if not answerable and raw_ev:
        problems.append(f"{where}: field 'evidence' must be empty when 'answerable' is false")
    evidence = []
    for i, ev in enumerate(raw_ev):
        ew = f"{where}: evidence[{i}]"
        if not isinstance(ev, dict):
            problems.append(f"{ew}: must be an object with a 'quote'")
            continue
        quote = _str_field(ev, "quote", ew, problems, required=True)
        case = _str_field(ev, "case", ew, problems, required=False)
        cite = _str_field(ev, "citation", ew, problems, required=False)
        pin = _str_field(ev, "pin", ew, problems, required=False).strip()
        if quote.strip() and not normalize(quote):
            problems.append(f"{ew}: field 'quote' has no text")
        if pin and not PIN_RE.match(pin):
            problems.append(f"{ew}: field 'pin' {pin!r} must be a page like \"111\" or a footnote like \"111 n.18\"")
        evidence.append(Evidence(quote=quote, case=case, citation=cite, pin=pin))
    ref = _str_field(obj, "reference_answer", where, problems, required=False)
    tags = obj.get("tags", [])
    if tags is None:
        tags = []
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        problems.append(f"{where}: field 'tags' must be a list of strings")
        tags = []
    if len(problems) > n0:
        return None
    return Question(id=qid, question=text, answerable=answerable, evidence=tuple(evidence),
                    reference_answer=ref, tags=tuple(dict.fromkeys(tags)), line=lineno)


def parse_set(lines: Iterable[str], path: str | Path = "<set>") -> EvalSet:
    """Validate every line; raise one ``EvalSetError`` listing all problems."""
    problems: list[str] = []
    questions: list[Question] = []
    first_line: dict[str, int] = {}
    for lineno, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            problems.append(f"{lineno}: not valid JSON ({e.msg} at column {e.colno})")
            continue
        except RecursionError:
            problems.append(f"{lineno}: not a question (JSON nested too deeply)")
            continue
        q = _question(obj, lineno, problems)
        if q is None:
            continue
        if q.id in first_line:
            problems.append(f"{lineno}: id {q.id!r}: field 'id' is not unique (first used on line {first_line[q.id]})")
            continue
        first_line[q.id] = lineno
        questions.append(q)
    if not questions and not problems:
        problems.append("1: the set holds no questions")
    if problems:
        raise EvalSetError(path, problems)
    return EvalSet(name=Path(str(path)).stem, path=str(path), questions=tuple(questions))


def load_set(path: str | Path) -> EvalSet:
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as e:
        raise EvalSetError(p, [f"0: cannot read the file ({e.strerror or e})"]) from None
    try:
        text = decode_utf8(data, str(p))
    except InputError as e:
        raise EvalSetError(p, [f"0: {e.reason}"]) from None
    return parse_set(text.splitlines(), p)
