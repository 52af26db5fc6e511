"""Composing an extractive answer a lawyer can use, from the sentences' roles (``qa_bot.ingest.roles``)
and what the question asks for (``qa_bot.retrieve.question.Intent``).

* What is quoted: never caption, title, syllabus or headnote matter (not the court's words), never a
  sentence that only points at authority ("Id., at 316."), never a sentence that is itself a question;
  when the question asks about a dissent, a concurrence or a named Justice and the hits hold that
  opinion, only its sentences.
* How sentences compete: a sentence whose role answers the question's form (the holding for "what did
  the court hold", the reasoning for "why") has its score raised by ``ROLE_FIT`` (a share, so that a
  holding on another topic does not outrank the sentence on this one), the next-best role by half of
  it; a party's argument or an issue statement the question did not ask for, and a separate opinion's
  sentence when the question asks about none, are lowered by ``NOT_ASKED``.
* Which opinion answers: the one the question names, else the one of the best-scoring sentence
  (``home``); the role terms apply to its sentences only, so a holding of another case does not
  outrank the sentence that answers this question merely because it is a holding.
* In what order: the lead is the best chosen sentence of that opinion - for a question about what the
  court held, its best holding when one was chosen (the tagger's "holding" is its most precise role;
  for the other forms the role fit is in the score already) - then the rest of that opinion's sentences (holding, rule, reasoning,
  facts, procedure, ..., then arguments and issue statements), then other opinions', then separate
  opinions unless they were asked about.
* The lead reads alone (``lead_span``): a lead that opens on a word referring back ("This is conduct that
  shocks the conscience.") is quoted with the sentence before it, and a chosen sentence that refers back
  to the lead ("It began in the company of ...") is quoted with it, under one citation.
* A "why" question is not answered by what was done: a disposition ("Reversed.", a Justice's bare "I
  dissent.") is lowered like an unasked argument.
* Each quoted sentence is labelled with what it is ("Holding", "Argument", "Issue", "Dissent (Douglas,
  J.)", or "Court" for the court's other sentences), so an argument is read as an argument and a dissent
  as a dissent.
"""

from __future__ import annotations

import re
from typing import Callable, Iterable, Protocol

from ..retrieve.question import Intent
from ..types import is_separate

ROLE_FIT = 0.25
NOT_ASKED = 0.25
NEVER_QUOTED = frozenset({"caption", "syllabus", "other"})
ORDER = ("holding", "disposition", "rule", "reasoning", "facts", "procedure", "precedent", "issue", "argument", "")
# Labels a reader sees, only for the roles the tagger tells apart reliably (precision >= 0.9 on the
# hand-labelled eval/sets/roles.jsonl, eval/reports/roles_eval.json); the court's other sentences - its
# reasoning, rules, facts, accounts of precedent, which the tagger separates less well - are "Court".
LABELS = {"holding": "Holding", "disposition": "Disposition", "procedure": "Procedure", "issue": "Issue",
          "argument": "Argument"}
PART_NAMES = {"dissent": "Dissent", "concurrence": "Concurrence", "concurrence in part": "Concurrence in part",
              "other": "Separate opinion"}


class Candidate(Protocol):
    role: str
    text: str
    score: float
    group: int
    start: int

    @property
    def part(self) -> str: ...

    @property
    def author(self) -> str | None: ...


def quotable(c: Candidate) -> bool:
    """May this sentence be quoted as an answer at all?"""
    return c.role not in NEVER_QUOTED and not c.text.rstrip("”\"’' )]").endswith("?")


def asked_part(c: Candidate, intent: Intent) -> bool:
    """Does the sentence stand in the opinion part (or by the Justice) the question asks about?"""
    if intent.author and (c.author or "").lower() != intent.author.lower():
        return False
    if intent.part == "dissent":
        return c.part == "dissent"
    if intent.part == "concurrence":
        return c.part.startswith("concurrence")
    return bool(intent.author)


def focus(cands: list, intent: Intent) -> list:
    """The sentences to answer from: quotable ones, and only the asked-about opinion part's when the
    question asks about one and the hits hold it."""
    cands = [c for c in cands if quotable(c)]
    if intent.part or intent.author:
        own = [c for c in cands if asked_part(c, intent)]
        if own:
            return own
    return cands


def home(cands: list, intent: Intent, score: Callable = lambda c: c.score) -> str:
    """The opinion that answers: the one the question names (when the hits hold it), else the one of
    the best-scoring sentence (by ``score``). Roles then choose among its sentences: a holding of another
    case does not answer this question because it is a holding."""
    named = [c for c in cands if c.op.id in intent.opinions]
    return max(named or cands, key=score).op.id


def adjust(cands: Iterable[Candidate], intent: Intent, home_id: str = "") -> None:
    """Apply the role terms of the module docstring to each candidate's score (the role fit only to
    sentences of ``home_id``'s opinion, when given)."""
    wanted = intent.roles
    unasked = {"argument", "issue"} - set(wanted)
    if intent.form == "reasoning":
        unasked.add("disposition")  # "why?" is not answered by what was done: "Reversed.", "I dissent."
    any_part = bool(intent.part or intent.author)
    for c in cands:
        factor = 1.0
        if home_id and c.op.id != home_id:
            pass
        elif wanted and c.role == wanted[0]:
            factor += ROLE_FIT
        elif c.role in wanted[1:]:
            factor += ROLE_FIT / 2
        if c.role in unasked or (is_separate(c.part, c.author) and not any_part):
            factor -= NOT_ASKED
        c.score *= factor


def order(chosen: list, intent: Intent, home_id: str = "") -> list:
    """Answer order: the lead (the best sentence whose role answers the question, else the best), then
    the court's sentences by role, then arguments and issues, then separate opinions not asked about;
    within a rank, best first. The pieces of one sentence (split at a page break) stay together."""
    if not chosen:
        return chosen
    best: dict[tuple[str, int], float] = {}
    for c in chosen:
        key = (c.op.id, c.group)
        best[key] = max(best.get(key, float("-inf")), c.score)
    asked = bool(intent.part or intent.author)
    court = ([c for c in chosen if asked_part(c, intent)] if asked
             else [c for c in chosen if not is_separate(c.part, c.author)])
    at_home = [c for c in court or chosen if c.op.id == home_id] or court or chosen
    held = [c for c in at_home if c.role == "holding"] if intent.form == "holding" else []
    # a holding that states its proposition before one that points at it ("We conclude, for the reasons stated
    # below, that it was not"): the lead is read alone
    held = [c for c in held if not elliptical(c.text)] or held
    lead = max(held or at_home, key=lambda c: best[(c.op.id, c.group)])
    lead_key = (lead.op.id, lead.group)

    def rank(c) -> tuple:
        key = (c.op.id, c.group)
        separate = is_separate(c.part, c.author) and not (asked and asked_part(c, intent))
        return (key != lead_key, separate, c.op.id != lead.op.id,
                ORDER.index(c.role) if c.role in ORDER else len(ORDER), -best[key], c.start)

    return sorted(chosen, key=rank)


# A sentence that opens on a word standing for something said before ("This is conduct that shocks the
# conscience.", "That is not this case.", "Such a rule ...", "He then ...") does not say alone what it asserts.
# Not: "It is / was / seems ... that" (an empty subject), "This Court", "this case" (no antecedent needed),
# "That government hires lawyers ... are" (a clause as subject).
_ANAPHOR = re.compile(r"^\W*(?:(?:this|these|those|such)\b(?!\s+(?:court|case|appeal|action|opinion)\b)|that(?=\s+(?:is|was|"
                      r"does|did|would|has|had)\b)|it\b(?!\s+(?:is|was|has\s+been|would\s+be|may\s+be|must\s+be|seems|"
                      r"seemed|appears|appeared|follows|remains)\b[^.;]*?\b(?:that|to|whether)\b)|(?:its|they|their|he|his|"
                      r"she|her)\b)", re.I)


def refers_back(sentence: str) -> bool:
    """Does the sentence open on a word that stands for something said before it (``_ANAPHOR``)?"""
    return bool(_ANAPHOR.match(sentence))


_ELLIPTICAL = re.compile(r"\bthat\s+(?:it|they|this|such|he|she)\s+(?:was|is|were|are|does|did|do|has|had|may|must|"
                         r"can|could|would|should)(?:\s+not)?(?:\s+(?:so|be|been))?\s*(?:[,.;:]|and\b|but\b|$)", re.I)


def elliptical(sentence: str) -> bool:
    """Does the sentence leave what it asserts to another one: it opens on a word that refers back, or its
    conclusion is a pronoun and an auxiliary ("We conclude ... that it was not and ...")?"""
    return refers_back(sentence) or bool(_ELLIPTICAL.search(sentence))


def lead_span(chosen: list, sentences: Callable[[int, int], list[tuple[int, int]]]) -> tuple[int, int] | None:
    """The span to quote for the lead ``chosen[0]`` so that it reads alone (None: the lead as it is): from the
    sentence before it in its paragraph when it opens on a word that refers back (``refers_back``), to the
    end of the chosen sentences right after it in its paragraph that refer back to it. ``sentences(a, b)``:
    the opinion's sentence spans between a and b. Pieces of one sentence split at a page break are left
    as they are."""
    lead = chosen[0]
    if any(c is not lead and c.op.id == lead.op.id and c.group == lead.group for c in chosen):
        return None
    para = next((p for p in lead.op.paragraphs if p.start <= lead.group < p.end), None)
    if para is None:
        return None
    text = lead.op.text
    start, end = lead.start, lead.end
    if refers_back(text[lead.group:lead.end]):
        before = sentences(para.start, lead.group)
        start = before[-1][0] if before else start
    following = sorted((c for c in chosen[1:] if c.op.id == lead.op.id and end <= c.start < para.end),
                       key=lambda c: c.start)
    for c in following:
        if text[end:c.start].strip() or not refers_back(text[c.start:c.end]):
            break
        end = c.end
    return (start, end) if (start, end) != (lead.start, lead.end) else None


def label(c: Candidate) -> str:
    """"Holding", "Argument", "Issue", ... or "Court" (``LABELS``); a separate opinion's sentence names the
    opinion: "Dissent (Douglas, J.)"."""
    if is_separate(c.part, c.author):
        who = f" ({c.author}, J.)" if c.author else ""
        return f"{PART_NAMES[c.part]}{who}"
    return LABELS.get(c.role, "Court") if c.role else ""


ASKED_FOR = {"holding": "what the court held", "rule": "a rule or test", "reasoning": "the court's reasons",
             "facts": "the facts", "procedure": "the case's procedural history", "argument": "a party's argument"}


def unfit(chosen: list, intent: Intent) -> str:
    """A sentence for the weak-support note when no quoted sentence is of a role that answers the
    question's form ("" when one is, or the form is unknown)."""
    if not intent.form or not chosen or any(c.role in intent.roles for c in chosen):
        return ""
    return (f"The question asks for {ASKED_FOR[intent.form]}, and none of the quoted sentences states it; they are "
            "what the library holds closest to it.")
