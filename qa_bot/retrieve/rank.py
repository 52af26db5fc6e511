"""Ranking by what the question asks (``question.Intent``), applied to the fused candidates.

Reciprocal rank fusion treats an opinion as a bag of equal passages. A lawyer's question is not: "What
did the court hold ..." wants the passage that states the holding, "What did the dissent say" wants
the dissent, a question naming *Katz* wants Katz, and no question is answered by a caption. Each fused
candidate's score (reciprocal rank fusion's in hybrid mode, BM25's or the cosine in a single mode, so
a passage far ahead on the words stays ahead) is multiplied by:

* ``FRONT_MATTER`` x the share of its sentences that are caption or syllabus matter: the reporter's
  title lines and summary are never the court's words;
* ``ROLE_FIT`` when one of its sentences has the role that answers the question's form (holding for
  "what did the court hold", rule for "what is the test", reasoning for "why", facts for "what
  happened", ...), its square root for the next-best role (a rule for a holding question);
* ``NOT_ASKED`` x the share of its sentences that report a party's argument or frame the issue, when
  the question asks for something else: "The PBA argues ..." and "The question is whether ..." are
  what a lawyer reads past when asking what the court held;
* ``PART_ASKED`` when it stands in the opinion part asked about (a dissent, a concurrence, a named
  Justice's opinion), or ``OTHER_PART`` when the question asks about none and it is not the court's
  opinion (a concurrence still answers when nothing better does);
* ``COURT_NAMED`` when its opinion is from a court the question names ("the Second Circuit").

Before these factors, ``context`` (with ``RetrieveSettings.opinion_weight``, on by default) adds to each
candidate's score a share of its opinion's evidence: the mean of that opinion's best three other
candidates, so an opinion that matches the question in several passages ranks ahead of one that matches
once ("Retrieval levers" in eval/reports/README.md; the levers measured beside it and not kept were
removed, their code is at commit 9ab66fe).

A question that says nothing beyond the case it names and the kind of answer it wants ("What did the
Court hold in Mapp v. Ohio?", ``Intent.topical``) matches every passage of that case alike, so there the
role fit is cubed: the holding decides. Then the opinions the question names come first, in this
order (``route``). The factors were set on
eval/sets/pena_dev.jsonl and eval/sets/scotus_dev.jsonl (eval/reports/README.md: "Levers").
"""

from __future__ import annotations

from typing import Mapping, Sequence

from ..backends.base import Filters
from ..types import Passage, is_separate
from .question import Intent

FRONT_MATTER = 0.9
ROLE_FIT = 1.5
NOT_ASKED = 0.5
PART_ASKED = 2.0
OTHER_PART = 0.7
COURT_NAMED = 1.5
Fused = list[tuple[int, float, dict]]  # (passage id, score, per-mode details) best first


def _part_fits(p: Passage, intent: Intent) -> bool:
    if intent.author and (p.author or "").lower() != intent.author.lower():
        return False
    if intent.part == "dissent":
        return p.part == "dissent"
    if intent.part == "concurrence":
        return p.part.startswith("concurrence")
    return True


def prefer(fused: Fused, passages: Mapping[int, Passage], roles: Mapping[int, Sequence[str]], intent: Intent
           ) -> Fused:
    """``fused`` re-scored by the factors of the module docstring, best first."""
    wanted = intent.roles
    unasked = {"argument", "issue"} - set(wanted) if wanted else set()
    asked_part = bool(intent.part or intent.author)
    out = []
    for pid, score, details in fused:
        p = passages[pid]
        rs = roles.get(pid, ())
        factor = 1.0
        if rs:
            factor *= 1.0 - FRONT_MATTER * sum(r in ("caption", "syllabus") for r in rs) / len(rs)
            fit = ROLE_FIT if intent.topical else ROLE_FIT ** 3  # nothing else to rank by: the role decides
            if wanted and wanted[0] in rs:
                factor *= fit
            elif set(wanted[1:]).intersection(rs):
                factor *= fit ** 0.5
            factor *= 1.0 - NOT_ASKED * sum(r in unasked for r in rs) / len(rs)
        if asked_part:
            factor *= PART_ASKED if _part_fits(p, intent) else 1.0
        elif is_separate(p.part, p.author):
            factor *= OTHER_PART
        if intent.courts and (p.court_id in intent.courts or p.court in intent.courts):
            factor *= COURT_NAMED
        out.append((pid, score * factor, {**details, "fused": score, "prior": factor}))
    out.sort(key=lambda x: -x[1])
    return out


def route(fused: Fused, passages: Mapping[int, Passage], opinions: frozenset[str], focus: set[int] = frozenset()
          ) -> Fused:
    """The passages the question points at first (``focus``: the part or Justice asked about), then the
    rest of the named ``opinions``, then everything else, each group in its order."""
    if not opinions and not focus:
        return fused

    def group(f) -> int:
        return 0 if f[0] in focus else 1 if passages[f[0]].opinion_id in opinions else 2

    return sorted(fused, key=group)  # stable: each group keeps its order


def focus_filters(filters: Filters, intent: Intent, named: frozenset[str]):
    """The narrower searches for what the question points at, most specific first: the part or Justice
    it asks about (in the opinions it names, if any), then that part by any Justice ("Justice Black's
    dissent" where Black wrote none), then the named opinions whole."""
    base = {"courts": filters.courts, "years": filters.years, "case": filters.case, "opinions": tuple(sorted(named))}
    if intent.part or intent.author:
        yield Filters(**base, part=intent.part or "", author=intent.author or "")
        if intent.author:
            yield Filters(**base, part=intent.part or "")
    if named:
        yield Filters(**base)


OPINION_DEPTH = 3  # an opinion's evidence: the mean of its best this many other candidates' scores


def context(fused: Fused, passages: Mapping[int, Passage], opinion_weight: float) -> Fused:
    """Each candidate's score plus ``opinion_weight`` x its opinion's evidence, the mean score of the
    opinion's best ``OPINION_DEPTH`` other candidates (a missing one counts 0).

    An opinion several of whose passages match the question is about what the question asks, one that
    matches once is likelier a stray use of its words (passage and document evidence combined, as Callan
    1994 did; the document scored by its top passages, as in passage-based document ranking). It moves
    passages across opinions only: within one opinion every passage but its best gains alike."""
    top: dict[str, list[tuple[float, int]]] = {}  # opinion -> its best OPINION_DEPTH + 1 (score, pid), best first
    for pid, s, _ in fused:
        best = top.setdefault(passages[pid].opinion_id, [])
        if len(best) <= OPINION_DEPTH:
            best.append((s, pid))
    score = {pid: s for pid, s, _ in fused}
    details = {pid: d for pid, _, d in fused}
    out = []
    for pid, own in score.items():
        others = [s for s, q in top[passages[pid].opinion_id] if q != pid][:OPINION_DEPTH]
        new = own + opinion_weight * sum(others) / OPINION_DEPTH
        out.append((pid, new, {**details[pid], "context": new - own}))
    out.sort(key=lambda x: -x[1])
    return out
