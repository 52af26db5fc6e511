"""What a question asks for, read from its words before anything is searched.

``analyse(question, library)`` returns an ``Intent``:

* ``form`` - the kind of answer wanted (question classification in the manner of Li & Roth 2002, for
  legal questions): ``holding`` ("What did the court hold ...", "Did the court find ...", a yes/no
  question of law), ``rule`` ("What is the test for ...", "When may an officer ..."), ``reasoning``
  ("Why ..."), ``facts`` ("What happened ...", "Who ..."), ``procedure`` ("What did the district court
  rule ..."), ``argument`` ("What did the petitioner argue ...") or None;
* ``part`` / ``author`` - a separate opinion asked about ("the dissent", "Justice Harlan's concurrence");
* ``opinions`` - library opinions the question names, by full case name ("Terry v. Ohio") or by the
  short name lawyers use ("in Katz", "under Mapp": the first party, or the second when the first is a
  government);
* ``courts`` - library courts the question names ("the Second Circuit");
* ``refers_back`` - the question leans on the conversation ("And the dissent?", "What about the
  officers?", a pronoun with nothing in the question for it to refer to).

``Intent.roles`` are the sentence roles (``qa_bot.ingest.roles``) that answer that form, best first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable, Sequence

from ..errors import BadQuestion

# the sentence roles that answer each form, best first
FORM_ROLES = {
    "holding": ("holding", "rule", "disposition"),
    "rule": ("rule", "holding"),
    "reasoning": ("reasoning", "holding", "rule"),
    "facts": ("facts", "procedure"),
    "procedure": ("procedure", "disposition", "holding"),
    "argument": ("argument",),
}
# words that say what kind of answer is wanted or whose opinion, not what it is about
_FORM_WORDS = frozenset("""what why how when where which who whom whose whether did does do is are was were can could may
must should would will has have had the a an in of on for to about under by with and or not court courts supreme
justice justices chief judge judges circuit panel appeals hold held holding holdings decide decided decision rule
ruled ruling conclude concluded conclusion find found say said says opinion majority dissent dissented dissenting
concur concurred concurring concurrence case cases reason reasons reasoning rationale argue argued argument
contend contended his her their its it this that there mr separate""".split())
_PARTY = (r"(?:the\s+)?(?:petitioners?|respondents?|appellants?|appellees?|plaintiffs?|defendants?|government|"
          r"state|prosecution|prosecutor|defen[cs]e|amic(?:us|i)|counsel|parties|city|officers?|union|pba)")
_FORMS = (
    ("argument", re.compile(rf"\b{_PARTY}(?:[’']s?)?\s+(?:\w+\s+){{0,2}}?(?:argue|argued|contend|contended|claim|"
                            rf"claimed|urge|urged|assert|asserted|maintain|maintained)\b|\b(?:what|which)\s+"
                            rf"(?:arguments?|contentions?)\b", re.I)),
    ("reasoning", re.compile(r"^\W*(?:and\s+)?why\b|\b(?:reasons?|rationale|reasoning|justif\w+|on\s+what\s+"
                             r"(?:basis|grounds?))\b", re.I)),
    ("rule", re.compile(r"\bwhat\s+(?:is|are|was|were)\s+the\s+(?:\w+\s+){0,3}?(?:test|standard|rule|requirements?|"
                        r"doctrine|elements?|criteria|factors|inquiry)\b(?!\s+\d)|\b(?:which|what)\s+(?:test|standard|"
                        r"rule|requirements?|elements?|factors)\b(?!\s+\d)|\b(?:test|standard|requirements?)\s+(?:for|of)\b|"
                        r"^\W*(?:when|under\s+what\s+(?:circumstances|conditions))\b|\bwhat\s+must\b", re.I)),
    ("procedure", re.compile(r"\b(?:district|trial|lower|state|appellate)\s+court\b|\bcourt\s+below\b|\bprocedur\w*|"
                             r"\bcertiorari\b|\bhow\s+did\s+(?:the|this)\s+case\s+(?:get|come|reach)\b", re.I)),
    ("facts", re.compile(r"^\W*(?:what\s+happened|who\b|where\b|when\s+did\b|how\s+(?:many|much|long|old|often)\b|"
                         r"what\s+did\s+(?!(?:the\s+)?(?:court|circuit|panel|justices?|majority|dissent|concurrence|chief)\b)"
                         r"[\w\s’']{1,30}?\b(?:do|find|see|say|tell|ask|carry|take|seize|discover|observe)\b)", re.I)),
    ("holding", re.compile(r"\b(?:hold|held|holding|holdings|conclude|concluded|conclusion|decide|decided|decision|"
                           r"rule|ruled|ruling|find|found|determine|determined)\b|^\W*(?:does|do|is|are|can|could|may|"
                           r"must|should|would|will)\b|^\W*(?:did|was|were|has|had)\s+(?:the\s+)?(?:\w+\s+)?(?:court|"
                           r"circuit|panel|justices?|majority)\b", re.I)),
)
_DISSENT = re.compile(r"\bdissent\w*", re.I)
_CONCUR = re.compile(r"\bconcurr\w*", re.I)
_JUSTICE = re.compile(r"\b(?:Chief\s+)?Justice\s+([A-Z][a-zA-Z’'-]+)|\b([A-Z][a-zA-Z’'-]+)[’']s\s+(?:dissent|concurrence)")
_BACK_OPENER = re.compile(r"^\W*(?:and|but|also|so|then|what\s+about|how\s+about|what\s+of|and\s+what|and\s+how|"
                          r"same\s+question)\b", re.I)
_PRONOUN = re.compile(r"\b(?:it|its|they|them|their|he|him|his|she|her|this|that|these|those|there|the\s+same)\b",
                      re.I)
_GENERIC = {"united", "states", "state", "people", "commonwealth", "city", "county", "town", "new", "york",
            "department", "dept", "board", "of", "the", "and", "for", "de", "in", "et", "al", "inc", "co",
            "warden", "maryland", "penitentiary", "municipal", "court", "six", "unknown", "named", "agents",
            "federal", "bureau", "narcotics", "social", "servs", "services"} | {s.lower() for s in (
    "Alabama Alaska Arizona Arkansas California Colorado Connecticut Delaware Florida Georgia Hawaii Idaho Illinois "
    "Indiana Iowa Kansas Kentucky Louisiana Maine Maryland Massachusetts Michigan Minnesota Mississippi Missouri "
    "Montana Nebraska Nevada Hampshire Jersey Mexico Carolina Dakota Ohio Oklahoma Oregon Pennsylvania Rhode Island "
    "Tennessee Texas Utah Vermont Virginia Washington Wisconsin Wyoming").split()}  # governments as parties
_CASE = re.compile(
    r"((?:[A-Z][\w'’.&-]*)(?:\s+(?:of|the|and|for|de|[A-Z][\w'’.&-]*))*)\s+v\.?\s+"
    r"((?:[A-Z][\w'’.&-]*)(?:\s+(?:of|the|and|for|de|[A-Z][\w'’.&-]*))*)")
_ORDINALS = ("first second third fourth fifth sixth seventh eighth ninth tenth eleventh").split()


@dataclass(frozen=True)
class Intent:
    form: str | None = None
    part: str | None = None  # "dissent" | "concurrence" | None (the court's opinion)
    author: str | None = None
    opinions: frozenset[str] = frozenset()
    courts: frozenset[str] = frozenset()
    refers_back: bool = False
    topical: bool = True  # it says what it is about beyond a case name and the kind of answer wanted
    case_words: tuple[str, ...] = field(default=(), compare=False)  # the names that matched, for messages

    @property
    def roles(self) -> tuple[str, ...]:
        return FORM_ROLES.get(self.form or "", ())


def _words(party: str) -> list[str]:
    return [w for w in (x.lower().strip(".,'’") for x in party.split()) if len(w) > 2 and w not in _GENERIC]


def short_name(case_name: str) -> str:
    """The name lawyers use for a case: "Katz" for Katz v. United States, "Chadwick" for United States v.
    Chadwick, "Hayden" for Warden, Maryland Penitentiary v. Hayden; "" when there is none."""
    parts = re.split(r"\s+v\.?\s+", case_name, maxsplit=1)
    for party in parts:
        words = [w for w in re.findall(r"[A-Z][\w'’-]+", party) if w.lower() not in _GENERIC]
        if words:
            return words[0].strip("'’")
    return ""


def named_opinions(question: str, case_names: Iterable[tuple[str, str]]) -> tuple[set[str], list[str]]:
    """(ids of the library opinions the question names, the names matched). A full name ("X v. Y")
    matches when every distinctive word of its parties is in the opinion's name; a short name when a
    capitalised word of the question is the opinion's short name."""
    case_names = list(case_names)
    out: set[str] = set()
    matched: list[str] = []
    for a, b in _CASE.findall(question):
        words = _words(a) + _words(b)
        if not words:
            continue
        for oid, name in case_names:
            low = name.lower()
            if all(re.search(rf"\b{re.escape(w)}\b", low) for w in words):
                out.add(oid)
                matched.append(f"{a} v. {b}")
    caps = set(re.findall(r"(?<=\s)[A-Z][\w’'-]+", question))  # not the question's first word ("Classic cases ...")
    caps |= {w[:-2] for w in caps if w.endswith(("’s", "'s"))}
    for oid, name in case_names:
        short = short_name(name)
        if short and short in caps and oid not in out:
            out.add(oid)
            matched.append(short)
    return out, matched


def court_aliases(court: str) -> list[str]:
    """Ways a question names a court: "United States Court of Appeals for the Second Circuit" ->
    "Second Circuit", "2d Cir"; "Supreme Court of the United States" -> "Supreme Court"."""
    out = []
    m = re.search(r"\b(\w+)\s+Circuit\b", court)
    if m:
        out.append(f"{m.group(1)} Circuit")
        if m.group(1).lower() in _ORDINALS:
            n = _ORDINALS.index(m.group(1).lower()) + 1
            out.append(f"{n}{'st' if n == 1 else 'nd' if n == 2 else 'rd' if n == 3 else 'th'} Cir")
            out.append(f"{n}{'d' if n in (2, 3) else 'st' if n == 1 else 'th'} Cir")
    if re.search(r"\bSupreme Court of the United States\b|^United States Supreme Court$", court, re.I):
        out += ["Supreme Court", "U.S. Supreme Court"]
    elif court:
        out.append(court)
    return out


def named_courts(question: str, courts: Iterable[tuple[str, str]]) -> set[str]:
    """Ids of the library's courts ((id, name) pairs) the question names."""
    out = set()
    for cid, name in courts:
        if any(re.search(rf"\b{re.escape(a)}\b", question, re.I) for a in court_aliases(name)):
            out.add(cid or name)
    return out


def question_form(question: str) -> str | None:
    for form, rx in _FORMS:
        if rx.search(question):
            return form
    return None


def refers_back(question: str, named: bool) -> bool:
    """Does the question lean on the previous turn? Never when it names a case itself."""
    if named:
        return False
    q = question.strip()
    if _BACK_OPENER.search(q):
        return True
    words = re.findall(r"[A-Za-z’']+", q)
    if len(words) <= 4:  # "And the dissent?", "What about Harlan?"
        return True
    return bool(_PRONOUN.search(q)) and len(words) <= 12


def analyse(question: str, case_names: Sequence[tuple[str, str]] = (), courts: Sequence[tuple[str, str]] = ()
            ) -> Intent:
    """The ``Intent`` of ``question`` against the library's (opinion id, case name) and (court id, name)."""
    opinions, matched = named_opinions(question, case_names)
    part = "dissent" if _DISSENT.search(question) else "concurrence" if _CONCUR.search(question) else None
    m = _JUSTICE.search(question)
    author = (m.group(1) or m.group(2)) if m else None
    form = question_form(question)
    if (part or author) and form != "rule":
        form = "reasoning"  # "What did the dissent say / argue?": that opinion's own reasoning and conclusion
    return Intent(form=form, part=part, author=author, opinions=frozenset(opinions),
                  courts=frozenset(named_courts(question, courts)), refers_back=refers_back(question, bool(opinions)),
                  topical=topical(question, matched, author), case_words=tuple(matched))


def topical(question: str, names: Sequence[str] = (), author: str | None = None) -> bool:
    """Does the question say what it is about beyond the case it names, a court, a Justice and the kind
    of answer it wants? "What did the Court hold in Mapp v. Ohio?" does not: any passage of Mapp matches
    its words as well as any other, and only the kind of sentence asked for can rank them."""
    skip = {w.lower() for n in names for w in re.findall(r"[A-Za-z]+", n)} | {(author or "").lower()}
    words = [w for w in re.findall(r"[a-z]+", question.lower()) if len(w) > 1]
    return any(w not in _FORM_WORDS and w not in skip and w not in _ORDINALS for w in words)


# control, zero-width and bidi characters, and lone surrogates (a question decoded with surrogateescape,
# or JSON with "\ud800", which the model's tokenizer cannot encode)
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff\ud800-\udfff]")


def clean_question(question: str, max_chars: int) -> str:
    """The question without control characters; ``BadQuestion`` if empty or too long."""
    if not isinstance(question, str):
        raise BadQuestion(f"question must be text, not {type(question).__name__}")
    q = " ".join(_CONTROL.sub(" ", question).split())
    if not q:
        raise BadQuestion("question is empty")
    if len(q) > max_chars:
        raise BadQuestion(f"question is {len(q)} characters long; the limit is {max_chars}")
    return q
