"""Sentence roles: what each sentence of an opinion does.

Every sentence of a stored opinion gets one role, from the opinion's own structure first and its
language second (no word lists fitted to questions):

* ``caption`` - title matter: the front matter before the first authored part (case title, docket,
  "Argued ... Decided ...", "CERTIORARI TO ...", counsel lines), part lines ("MR. JUSTICE STEWART
  delivered the opinion of the Court."), bare headings;
* ``syllabus`` - the reporter's summary in that front matter (long prose before the opinion itself,
  "Held: ..."): not the court's words;
* ``issue`` - the question presented or issue framing ("The question is whether ...", "We must decide
  whether ...", "This case presents ...", a sentence that is itself a question);
* ``argument`` - a party's, the government's or an amicus's argument as the opinion reports it (a party
  or "it" as the subject of a verb of contention: "Petitioner contends ...", "It is urged that ...");
* ``holding`` - the opinion's own conclusion: "we (therefore) hold / conclude / agree", "I would hold",
  "I dissent" (present tense: "we have held" and "held in X" report precedent);
* ``disposition`` - what the court does with the judgment: "The judgment ... is reversed", "We
  affirm", "Reversed and remanded." (a kind of holding; told apart so that "what did the court hold"
  is answered by the holding before the judgment line);
* ``procedure`` - this case's procedural history: a lower court or jury as the subject of a ruling
  verb, "We granted certiorari", "was convicted", "This appeal ...";
* ``precedent`` - an account of another case ("In Olmstead, the Court held ...", "As we said in X");
* ``rule`` - a general statement of law in the present tense not tied to these parties ("The Fourth
  Amendment protects people, not places."; "a plaintiff must show ...");
* ``facts`` - narrative of this case: sentences under a BACKGROUND / FACTS heading, or past-tense
  sentences about the parties before the opinion's first heading or first legal discussion;
* ``reasoning`` - the opinion's own analysis: everything else in an opinion's voice;
* ``other`` - fragments and formulae ("It is so ordered.").

The opinion part (majority, concurrence, dissent) and its author are separate: the structure stage
already has them. ``VERSION`` changes whenever the rules change, so stored roles are recomputed.
"""

from __future__ import annotations

import re
from typing import Callable

from ..types import Opinion, Paragraph, SentenceRole
from .sentences import opinion_sentences
from .store import Store

VERSION = 8
ROLES = ("holding", "disposition", "rule", "reasoning", "facts", "procedure", "argument", "issue", "precedent",
         "syllabus", "caption", "other")


# --- language cues ----------------------------------------------------------------------------------
_PARTY_NOUN = (r"(?:petitioners?|respondents?|appellants?|appellees?|plaintiffs?|defendants?|government|state|"
               r"states|city|united\s+states|prosecution|prosecutor|defense|commonwealth|attorney\s+general|"
               r"solicitor\s+general|pba|union|county|municipality|officers?|board|department|employer|accused|"
               r"prisoners?|inmates?|amic(?:us|i)(?:\s+curiae)?|dissent|concurrence|parties|party|side)(?:-[a-z]+)?")
_PARTY = (rf"(?:(?:the\s+)?(?:[\w’'-]+\s+){{0,3}}?{_PARTY_NOUN}|counsel(?:\s+for\s+(?:the\s+)?(?:[\w’'-]+\s+){{0,2}}?"
          rf"[\w’'-]+)?|(?-i:(?!(?:We|I|It|This|That|These|Those|The|Our|He|She|They|There|In|On|At|But|And|Nor|"
          rf"Thus|Hence|First|Second|Finally)\b)[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?))")
_CONTEND = (r"(?:argues?|argued|contends?|contended|urges?|urged|asserts?|asserted|insists?|insisted|"
            r"(?:maintains?|maintained|submits?|submitted|claims?|claimed|suggests?|suggested|emphasi[sz]es?|"
            r"emphasi[sz]ed|stresses|stressed|protests?|protested|objects?|objected|counters?|countered|responds?|"
            r"responded|complains?|complained|concedes?|conceded|acknowledges?|acknowledged)\s+that|"
            r"(?:defends?|defended)\s+(?:the|its|his|her|their)\b|"
            r"(?:relies|relied)\s+(?:up)?on|asks?\s+us|"
            r"(?:persists?|persisted|continues?|continued)\s+(?:in\s+(?:suggesting|arguing|contending|urging|insisting|"
            r"maintaining|asserting|claiming)|to\s+(?:argue|contend|urge|insist|maintain|assert|claim|suggest))\b)")
_ARGUMENT = re.compile(
    rf"^(?:[^.;:]{{0,60}}?\b)?{_PARTY}(?:[’']s?)?(?:\s+(?:also|further|next|nevertheless|now|then|first|"
    rf"principally|primarily|essentially|strenuously|vigorously|however|,\s*however,|in\s+(?:reply|response)))*"
    rf"\s*,?\s+{_CONTEND}\b"
    rf"|\b[Ii]t\s+(?:is|was|has\s+been)\s+(?:argued|urged|contended|suggested|asserted|insisted|maintained)"
    rf"(?:\s+that\b|\s*,)"
    rf"|\b(?:{_PARTY})[’']s?\s+(?:principal\s+|main\s+|chief\s+|only\s+|first\s+|second\s+)?(?:argument|contention|"
    rf"position|theory|claim|submission)\s+(?:is|was)\b"
    rf"|^(?:[^.;:]{{0,40}}?\b)?(?:the\s+)?(?:argument|contention|suggestion)\s+(?:is|was)\s+(?:made\s+)?that\b",
    re.I)
# Every alternative of _ARGUMENT holds one of these words (in any case): a sentence without any cannot
# match, and most have none, so the costly search (its party-name alternatives backtrack) is skipped.
# Checked on the lower-cased sentence, which is exact unless it holds one of the four non-ASCII letters
# that IGNORECASE also takes for ASCII ones (then the search runs).
_ARGUMENT_NEEDS = ("argu", "conten", "urg", "assert", "insist", "maintain", "submi", "claim", "suggest", "emphasi",
                   "stress", "protest", "object", "counter", "respond", "complain", "conced", "acknowledg", "defend",
                   "relie", "ask", "position", "theory")
FOLDS_TO_ASCII = "\u0130\u0131\u017f\u212a"  # İ ı ſ K


def may_argue(t: str) -> bool:
    """False only when ``_ARGUMENT`` cannot match ``t`` (see ``_ARGUMENT_NEEDS``)."""
    if any(c in t for c in FOLDS_TO_ASCII):
        return True
    low = t.lower()
    return any(w in low for w in _ARGUMENT_NEEDS)


def _argument(t: str) -> re.Match | None:
    """``_ARGUMENT.search(t)``, skipped when it cannot match."""
    return _ARGUMENT.search(t) if may_argue(t) else None


_HOLDING = re.compile(
    r"\b(?:we|i)\s+(?:therefore\s+|thus\s+|now\s+|accordingly\s+|also\s+|further\s+|hence\s+|so\s+|"
    r"simply\s+|merely\s+|only\s+|today\s+|do\s+|must\s+|would\s+|,\s*therefore,\s+)*(?:hold|conclude|decide|"
    r"agree\s+with\s+the|find\s+that|are\s+(?:of\s+the\s+opinion|persuaded|satisfied|constrained\s+to\s+"
    r"(?:hold|conclude)))\b"
    r"|\b(?:our|the\s+court[’']s)\s+holding\s+(?:is|today)\b|\bwe\s+hold\b|\bhold,\s+as\s+we\s+(?:now\s+)?do\b"
    r"|\b(?:we|i)\s+(?:are|am)\s+(?:not\s+)?(?:persuaded|convinced)\b|\b(?:leads?|led|compels?)\s+us\s+to\s+"
    r"(?:conclude|hold)\b"
    r"|\bi\s+(?:must\s+)?(?:respectfully\s+)?(?:dissent|concur)\b"
    # the court disposing of a contention or a proposition in its own voice: "we reject the contention that",
    # "we do not believe its protections are triggered", "we decline to extend", "we see no reason"
    r"|\b(?:we|i)\s+(?:therefore\s+|thus\s+|accordingly\s+|also\s+|must\s+|,\s*therefore,\s+)*(?:reject|"
    r"(?:do|can)\s*not\s+(?:believe|accept|agree)|decline\s+to|see\s+no|find\s+no|are\s+unable\s+to\s+(?:agree|accept|"
    r"conclude))\b",
    re.I)
_DISPOSITION = re.compile(
    r"\b(?:we|i)\s+(?:therefore\s+|thus\s+|accordingly\s+|would\s+|,\s*therefore,\s+)*(?:affirm|reverse|vacate|"
    r"remand)\b"
    r"|\b(?:judgment|order|decision|decree|conviction)s?\b[^.;]{0,120}?\b(?:is|are)\s+(?:hereby\s+)?(?:"
    r"affirmed|reversed|vacated|set\s+aside)\b"
    r"|^(?:affirmed|reversed|vacated|dismissed)(?:\s+and\s+remanded)?(?:\s+in\s+part)?\b",
    re.I)
_ISSUE = re.compile(
    r"^(?:[^.;]{0,40}?\b)?(?:the|this|our|a|one)\s+(?:(?:sole|only|narrow|principal|central|crucial|"
    r"critical|precise|threshold|first|second|remaining|basic|ultimate|single|decisive|key)\s+)?(?:question|issue|"
    r"inquiry|problem|crux|task)s?\b[^.]{0,80}?\b(?:is|are|was|were|presented|raised|remains?|before\s+us)\b[^.]{0,60}?"
    r"\b(?:whether|if|how|what|to\s+(?:decide|determine|establish))\b"
    r"|^(?:[^.;]{0,40}?\b)?the\s+crux\s+of\b"
    r"|\bwe\s+(?:must|need|now|first|turn|are\s+required)\b[^.]{0,80}?\b(?:decide|determine|consider|address|"
    r"resolve|examine|ask)\s+(?:whether|if|how|what)\b"
    r"|\bwe\s+are\s+(?:asked|called\s+upon)\s+to\s+(?:decide|determine|consider)\b"
    r"|^(?:\w+,\s+)?(?:this|the\s+present)\s+case\s+(?:presents|raises|involves|requires\s+us)\b"
    r"|\bgranted\s+certiorari\b[^.]{0,60}?\bto\s+(?:decide|consider|resolve|determine|review)\b",
    re.I)
_LOWER_COURT = (r"(?:the\s+)?(?:district\s+court|court\s+of\s+appeals|appeals\s+court|trial\s+(?:court|judge)|"
                r"appellate\s+(?:court|division)|state\s+court|jury|magistrate(?:\s+judge)?|circuit\s+court|"
                r"(?:[A-Z][a-z]+\s+)?supreme\s+court\s+of\s+[A-Z][a-z]+|court\s+below|lower\s+courts?|panel)")
_PROCEDURE = re.compile(
    rf"\b{_LOWER_COURT}(?:\s+(?:for|of)\s+the\s+[\w\s]{{1,40}}?)?\s+(?:also\s+|then\s+|subsequently\s+|thereafter\s+)?"
    rf"(?:held|found|ruled|denied|granted|dismissed|affirmed|reversed|concluded|entered|convicted|sustained|overruled|"
    rf"rejected|certified|instructed|acquitted|returned|awarded|remanded|vacated|upheld|refused|determined|decided)\b"
    rf"|\bwe\s+granted\s+(?:certiorari|review|the\s+petition)\b|\bcertiorari\s+was\s+granted\b"
    rf"|\b(?:was|were)\s+(?:convicted|indicted|sentenced|charged|tried|arraigned|acquitted)\b"
    rf"|\b(?:filed|brought|commenced|instituted)\s+(?:this|a|the|an|their|his|her)\b[^.]{{0,40}}?\b(?:action|suit|"
    rf"complaint|petition|lawsuit|appeal|proceeding)\b|\bthis\s+(?:appeal|interlocutory\s+appeal)\s+(?:followed|is\s+"
    rf"limited|arises)\b"
    rf"|\bon\s+appeal\b[^.]{{0,40}}\b(?:affirmed|reversed)\b|\bmotion\s+to\s+(?:dismiss|suppress)\b[^.]{{0,80}}"
    rf"\b(?:was|were)\s+(?:denied|granted|overruled)\b"
    rf"|\bseeks?\s+to\s+recover\b|\bsought\s+(?:\$|damages|relief|an?\s+injunction|a\s+declaratory)"
    rf"|^\W*On\s+(?:appeal|remand|rehearing|cross-motions)\b",
    re.I)
_PRECEDENT = re.compile(
    r"^(?:[“\"]?\s*)(?:In|Under)\s+(?:[A-Z][\w.'’&-]*\s+)*?(?:v\.\s+[A-Z][\w.'’&-]*(?:\s+[A-Z][\w.'’&-]*)*|"
    r"[A-Z][\w'’-]+)\s*(?:,|\(|\bsupra\b)"
    r"|\b(?:as|what)\s+(?:we|the\s+court|this\s+court)\s+(?:said|stated|noted|explained|observed|recognized|"
    r"held|emphasized|pointed\s+out)\s+in\b"
    r"|\b(?:we|the\s+court|this\s+court|the\s+[A-Z][a-z]+\s+circuit)\s+(?:there|then)?\s*(?:held|found|ruled|"
    r"concluded|reasoned|recognized|explained|stated|observed|noted)\b",
    )
_PRECEDENT_PAST = re.compile(r"\b(?:held|found|ruled|concluded|reasoned|recognized|explained|stated|observed|"
                             r"noted|decided|rejected|involved|sustained|upheld|struck)\b")
_RULE = re.compile(
    r"\b(?:must|may\s+not|cannot|can\s+not|shall|need\s+not|is\s+required|are\s+required|requires?|prohibits?|"
    r"protects?|forbids?|guarantees?|precludes?|permits?|applies|is\s+(?:not\s+)?entitled|are\s+(?:not\s+)?"
    r"entitled|is\s+(?:not\s+)?liable|are\s+(?:not\s+)?liable|is\s+per\s+se|are\s+per\s+se|does\s+not\s+(?:apply|"
    r"require|protect|extend)|is\s+(?:not\s+)?(?:sufficient|enough|necessary)|turns\s+on|depends\s+on)\b"
    r"|\bthe\s+(?:test|standard|rule|inquiry|principle|doctrine|requirement)\b[^.;]{0,60}?\b(?:is|are|requires|asks)\s+"
    r"(?:that|whether|two|twofold|two-fold|a\s+two|one\s+of)\b|\b(?:twofold|two-fold|two-part|two-step|three-part)\s+"
    r"(?:requirement|test|inquiry|analysis)\b",
    re.I)
_FIRST_PERSON = re.compile(r"\b(?:we|us|our|i)\b", re.I)
_PAST_NARRATIVE = re.compile(r"\b(?:was|were|had|did|went|drove|arrived|asked|told|saw|found|seized|searched|"
                             r"arrested|entered|took|left|returned|said|observed|approached|stopped|began|"
                             r"testified|[a-z]{3,}ed)\b")
_FACT_SECTION = re.compile(r"\b(?:background|facts?|statement\s+of\s+(?:the\s+)?(?:facts|case)|the\s+(?:accident|"
                           r"incident|arrest|search))\b", re.I)
_COUNSEL = re.compile(r"\b(?:argued\s+the\s+cause|on\s+the\s+briefs?|filed\s+(?:a\s+)?briefs?|for\s+(?:petitioners?|"
                      r"respondents?|appellants?|appellees?)\b|amici\s+curiae|pro\s+se)\b", re.I)
_PART_LINE = re.compile(r"\b(?:delivered\s+the\s+opinion|announced\s+the\s+judgment|concurring|dissenting|"
                        r"(?:circuit|district)\s+judge[,:]|took\s+no\s+part|joins?\s+(?:in\s+)?(?:this|the\s+foregoing)\s+"
                        r"(?:dissent|opinion|concurrence))\b", re.I)
# the judgment line as reporters print it, in two paragraphs ("Accordingly, the judgment is" / "Affirmed."),
# which the structure may read as a heading and a fragment
_CUT_DISPOSITION = re.compile(r"\b(?:judgments?|decrees?|orders?|convictions?)\b[^.;:]{0,120}?\b(?:is|are|must\s+be|"
                              r"should\s+be|will\s+be|be)\s*[,:]?$", re.I)
_BARE_DISPOSITION = re.compile(r"^(?:affirmed|reversed|vacated|dismissed)(?:\s+(?:and|in\s+part)\s*[\w\s,]*)?\W*$",
                               re.I)
# a Justice's bare vote on the judgment, which gives no reason: "Accordingly, I dissent from the judgment.",
# "I concur in the result.", "I dissent."
_VOTE = re.compile(r"^\W*(?:(?:accordingly|therefore|for\s+(?:these|the\s+foregoing)\s+reasons|for\s+the\s+reasons\s+"
                   r"(?:stated|given)(?:\s+\w+){0,2}),?\s+)?i\s+(?:would\s+)?(?:must\s+)?(?:therefore\s+)?(?:respectfully\s+)?"
                   r"(?:dissent|concur)(?:\s+(?:in|from)\s+(?:the|this|today[’']s)\s+(?:judgment|result|decision|opinion)"
                   r"(?:\s+of\s+(?:the|this)\s+court)?|\s+in\s+the\s+result)?\W*$", re.I)
_FORMULA = re.compile(r"^(?:it\s+is\s+so\s+ordered|so\s+ordered|per\s+curiam|opinion\s+of\s+the\s+court)\W*$", re.I)


def _quoted(text: str, m: re.Match) -> bool:
    """The cue lies inside a quotation (the sentence opens a quote that is still open at the cue)."""
    before = text[: m.start()]
    opens = before.count("“") + before.count('"') - before.count("”")
    if "“" in before or "”" in before:
        return before.count("“") > before.count("”")
    return opens % 2 == 1


_CONCESSIVE = re.compile(r"^\W*(?:although|though|while|whatever|even\s+if|even\s+though|granted\s+that)\b", re.I)
_REBUTTAL = re.compile(r"[;,]\s+(?:but|yet)\b|;\s+however\b|\bnevertheless\b", re.I)  # ", however," is the argument's own
_OTHER_CASE = re.compile(r"^\W*(?:In|Under|As\s+in)\s+(?:(?-i:[A-Z])[\w.'’&-]*\s+)*?(?:v\.\s+)?(?-i:[A-Z])[\w'’-]+\s*(?:,|\()")
_SIGNALS = re.compile(r"\b(?:see|also|e\.\s?g\.|cf\.|compare|with|accord|but|contra|id\.?|ibid\.?|supra|infra|"
                      r"at|and|n\.|nn\.|pp?\.|ante|post|quoting|citing|emphasis|added|omitted|concurring|dissenting|"
                      r"in|result|part|judgment|ed\.|supp\.|\d[\w.,-]*)\b", re.I)


def citation_only(text: str) -> bool:
    """A sentence that only points at authority ("See Terry v. Ohio, 392 U.S. 1, 27.", "Id., at 316.",
    "O'Hara, supra, at 112.") once its citations (``blank``) and citation signals are taken away: no
    more than three words of its own are left, and none of them a verb form."""
    rest = _SIGNALS.sub(" ", text)
    words = re.findall(r"[A-Za-z][a-z]{2,}", rest)
    return len(words) <= 3


def classify(text: str, para: Paragraph, *, front: bool, early: bool, cites_blanked: str = "") -> str:
    """The role of one sentence ``text`` standing in ``para``. ``front``: before the opinion's first
    authored part (caption or syllabus); ``early``: in the facts zone of the majority (before its first
    heading, in its first paragraphs); ``cites_blanked``: the sentence with its citations blanked out."""
    t = " ".join(text.split())
    words = t.split()
    if not front and (_CUT_DISPOSITION.search(t) or _BARE_DISPOSITION.match(t) or _VOTE.match(t)):
        return "disposition"  # "The judgment of the Court of Appeals is" / "Reversed.": the judgment line cut in two
    if para.kind == "heading":
        return "caption"
    if front:
        if _COUNSEL.search(t) or len(words) < 12 or not re.search(r"[a-z]", t):
            return "caption"
        return "syllabus"
    if _PART_LINE.search(t) and len(words) <= 25 and para.end - para.start <= 300:
        return "caption"
    if _FORMULA.match(t) or len(words) < 3 or citation_only(cites_blanked or t):
        return "other"
    other_case = bool(_OTHER_CASE.match(t))  # "In Parratt v. Taylor, we ...": that case's story
    for role, search in (("issue", _ISSUE.search), ("argument", _argument), ("holding", _HOLDING.search),
                         ("disposition", _DISPOSITION.search)):
        m = search(t)
        if not m or _quoted(t, m):
            continue
        if role == "holding" and re.search(r"\b(?:have|has|had)\s+(?:\w+\s+)?(?:held|concluded|rejected|declined)\b",
                                           t[:m.end() + 20]):
            break  # "we have held": precedent
        if other_case and role in ("issue", "holding", "disposition"):
            break  # "In Parratt v. Taylor, we granted certiorari to decide whether ...": another case's story
        if role == "argument" and (_CONCESSIVE.match(t) or _REBUTTAL.search(t[m.end():])):
            break  # "Although Daniels argues ..., the Fourth Circuit found ...": the court's answer is the point
        return role
    if other_case:
        return "precedent"
    if _PROCEDURE.search(t):
        return "procedure"
    m = _PRECEDENT.search(t)
    if m and _PRECEDENT_PAST.search(t):
        return "precedent"
    fact_zone = early or bool(_FACT_SECTION.search(para.section or ""))
    if fact_zone and _PAST_NARRATIVE.search(t) and not _RULE.search(t):
        return "facts"
    if _RULE.search(t) and not _FIRST_PERSON.search(t) and not re.search(r"\b(?:was|were|had)\b", t):
        return "rule"
    return "reasoning"


def _blank_cites(op: Opinion, start: int, end: int) -> str:
    """``op.text[start:end]`` with the citations eyecite found in it blanked out."""
    chars = list(op.text[start:end])
    for c in op.cites:
        if c.end > start and c.start < end:
            for i in range(max(start, c.start), min(end, c.end)):
                chars[i - start] = " "
    return "".join(chars)


def _front_end(op: Opinion) -> int:
    """Where the opinion proper begins: the first authored part when the text opens with an unauthored
    one (the front matter of a reporter's copy), else 0."""
    if len(op.parts) > 1 and op.parts[0].author is None and any(p.author for p in op.parts[1:]):
        return op.parts[1].start
    return 0


def _early_end(op: Opinion, front_end: int) -> int:
    """End of the majority's facts zone: its first heading after the opinion begins, or its first
    part's end, whichever comes first (the statement of the case precedes the first numbered part)."""
    first_part_end = next((p.end for p in op.parts if p.start >= front_end), len(op.text))
    for para in op.paragraphs:
        if para.start > front_end and para.kind == "heading" and not _PART_LINE.search(op.text[para.start:para.end]):
            return min(para.start, first_part_end)
    return first_part_end


def tag(op: Opinion, spans: Callable[[int, int], list[tuple[int, int]]] | None = None) -> tuple[SentenceRole, ...]:
    """Roles of every sentence of ``op`` (the chunker's sentences, paragraph by paragraph), by start. An
    opinion without a paragraph map (built by hand) is read as one paragraph of the court's. ``spans``:
    the sentences of ``op.text[start:end]`` if already at hand (``opinion_sentences``)."""
    spans = spans or (lambda a, b: opinion_sentences(op, a, b))
    front_end = _front_end(op)
    early_end = _early_end(op, front_end)
    out: list[SentenceRole] = []
    for para in op.paragraphs or (Paragraph(0, len(op.text), "body"),):
        front = para.end <= front_end and para.kind != "footnote"
        early = front_end <= para.start < early_end and para.kind == "body" and para.part in ("majority", "plurality",
                                                                                              "per curiam")
        for s, e in spans(para.start, para.end):
            out.append(SentenceRole(s, e, classify(op.text[s:e], para, front=front, early=early,
                                                   cites_blanked=_blank_cites(op, s, e))))
    out.sort(key=lambda r: r.start)
    return tuple(out)


def retag(store: Store) -> int:
    """Tag the stored opinions that have no roles yet, or all of them when the stored roles come from
    another ``VERSION`` of these rules (one transaction per opinion). Returns how many were tagged."""
    stored = store.get_meta("roles_version")
    stale = stored is not None and stored != str(VERSION)
    ids = [oid for oid, _, _ in store.opinions()] if stale else store.untagged_opinions()
    for oid in ids:
        roles = tag(store.opinion(oid))
        with store.transaction():
            store.set_roles(oid, roles)
    if stored != str(VERSION):
        store.set_meta("roles_version", str(VERSION))
    return len(ids)


def stale(store: Store) -> str:
    """"" when the stored roles come from this ``VERSION`` of the rules; else what is wrong and what re-tags
    them (``qa-bot info`` and ``qa-bot eval`` say it: answers and figures depend on the roles)."""
    stored = store.get_meta("roles_version")
    if stored is None or stored == str(VERSION):
        return ""
    return (f"the sentence roles were tagged by version {stored} of the role rules and this qa-bot tags with "
            f"version {VERSION}: `qa-bot sync` re-tags them")
