"""Abstention: the signals that make the extractive answerer say the library holds no answer
instead of quoting the closest sentence (see the ``qa_bot.answer.extractive`` docstring for how they were
calibrated on eval/sets/pena_dev.jsonl).

The signals are unknown case names, unknown proper names, and topic terms the quoted opinion never
uses; they read the library's term statistics (``index.lexical.LibraryIdf``: BM25 IDF and which
opinions use a term), built once per library by ``library_idf``.
"""

from __future__ import annotations

import re
from typing import Sequence

from ..cache import cached
from ..index.lexical import LibraryIdf, tokenize as _terms
from ..types import CANNOT_ANSWER, Answer, AnswerSentence, Hit, Opinion

SALIENT_IDF = 4.5  # a term in under ~1% of the library's passages (4.6 = 1% of the demo's 4,814)
TOPIC_BURST = 3.0  # ... used in at least this many passages per opinion that uses it
# question words carry no topic (BM25's stopword list keeps them; in opinions they are rare)
_QUESTION_WORDS = frozenset("how whi what when where which who whom whose whether ever much mani".split())


def topic_terms(idf: LibraryIdf, terms: Sequence[str]) -> list[str]:
    """The terms (of ``terms``) the library treats as a topic: rare (IDF >= ``SALIENT_IDF``) and, where
    used, used again and again (at least ``TOPIC_BURST`` passages per opinion that uses them, on
    average): "miranda", "excess(ive force)", a party's name. Words the library never uses, or uses
    once here and there ("cops", "reptile", "colleague"), are not: they are often the asker's own
    paraphrase."""
    out = []
    for t in dict.fromkeys(terms):
        if t in _QUESTION_WORDS:
            continue
        c = idf.df.get(t, 0)
        if c and idf(t) >= SALIENT_IDF and c >= TOPIC_BURST * len(idf.opinions(t)):
            out.append(t)
    return out


def library_idf(lib) -> LibraryIdf:
    """The library's ``LibraryIdf``, kept in its ``LibraryCache`` for the BM25 index it was built from."""
    backend = getattr(_try_retriever(lib), "backend", None)
    if backend is not None and backend.kind != "local":  # e.g. Milvus: statistics looked up there, not loaded
        return LibraryIdf.of_stats(backend.term_stats())
    lex = _lexical(lib)

    def make() -> LibraryIdf:
        if lex is not None and len(lex):
            return LibraryIdf.of_index(lex, {pid: oid for pid, oid, _ in lib.store.passage_owners()})
        return LibraryIdf.of_passages(lib.store.passages() if hasattr(lib, "store") else [])

    return cached(lib, "answer.idf", make, key=id(lex) if lex is not None else "store")


def _lexical(lib):
    """The library's current BM25 index (None before there is one, or for a library without a retriever)."""
    retr = _try_retriever(lib)
    if retr is None or not hasattr(retr, "lexical"):
        return None
    try:
        return retr.lexical()
    except Exception:  # noqa: BLE001 - no index yet: count the stored passages instead
        return None


def _try_retriever(lib):
    try:
        return lib.retriever
    except Exception:  # noqa: BLE001 - no retriever yet: fall back to loading the model ourselves
        return None


# --- abstention signals ---------------------------------------------------------------------------
_CASE_NAME = re.compile(
    r"((?:[A-Z][\w'’.&-]*)(?:\s+(?:of|the|and|for|de|[A-Z][\w'’.&-]*))*)\s+v\.?\s+"
    r"((?:[A-Z][\w'’.&-]*)(?:\s+(?:of|the|and|for|de|[A-Z][\w'’.&-]*))*)")
_GENERIC_PARTY = {"united", "states", "state", "people", "commonwealth", "city", "county", "town", "new", "york",
                  "department", "dept", "board", "of", "the", "and", "for", "de", "in", "what", "did", "does", "how",
                  "why", "when", "which", "who", "is", "was", "were", "court", "supreme", "circuit"}


def named_cases(question: str) -> list[tuple[str, str]]:
    """("Town of Castle Rock", "Gonzales") for each "X v. Y" case name in the question."""
    return [(a.strip(), b.strip()) for a, b in _CASE_NAME.findall(question)]


def _party_words(party: str) -> list[str]:
    return [w.lower().strip(".,'’") for w in party.split() if w.lower().strip(".,'’") not in _GENERIC_PARTY
            and len(w) > 2]


def named_opinions(question: str, case_names: Sequence[tuple[str, str]]) -> set[str]:
    """Ids of the library's opinions that the question names ("... in Pena v. DePrisco ..."): every
    distinctive word of the first party, and of the second when it has any, is in the case name."""
    out: set[str] = set()
    for a, b in named_cases(question):
        wa, wb = _party_words(a), _party_words(b)
        if not wa and not wb:
            continue
        for oid, name in case_names:
            low = name.lower()
            if all(re.search(rf"\b{re.escape(w)}\b", low) for w in wa + wb):
                out.add(oid)
    return out


_NAME_RUN = re.compile(r"(?<![.?!]\s)(?<!^)\b([A-Z][\w'’.-]*(?:\s+(?:of\s+|v\.\s+)?[A-Z][\w'’.-]*)+)")


def unknown_names(question: str, idf: LibraryIdf, case_names: Sequence[str] = ()) -> list[str]:
    """Proper names in the question (a run of two or more capitalised words past its first word:
    "Dram Shop Act", "Castle Rock") with a word the library never uses, in its passages or in the
    names of its opinions (``case_names``: an opinion's name may come from a sidecar or an edit and
    never appear in its text): the library cannot hold what the question is about."""
    named = {t for n in case_names for t in _terms(n)}
    out = []
    for m in _NAME_RUN.finditer(question):
        name = m.group(1)
        if any(not idf.df.get(t, 0) and t not in named for t in _terms(name) if t not in _QUESTION_WORDS):
            out.append(name)
    return out


def unknown_cases(question: str, hits: Sequence[Hit], case_names: Sequence[str]) -> list[str]:
    """Case names in the question that neither an opinion of the library is called nor any retrieved
    passage mentions (a party's distinctive words found in neither)."""
    out = []
    texts = [h.passage.text.lower() for h in hits] + [n.lower() for n in case_names]
    for a, b in named_cases(question):
        words = _party_words(a) + _party_words(b)
        if not words:
            continue
        if not any(re.search(rf"\b{re.escape(w)}\b", t) for w in words for t in texts):
            out.append(f"{a} v. {b}")
    return out


def missing_topics(question: str, op: Opinion, idf: LibraryIdf) -> list[str]:
    """The question's topic terms (``topic_terms``) that the opinion to be quoted never uses
    (in its passages or its case name): the question is about something the library discusses
    elsewhere, not in this opinion."""
    name = set(_terms(op.meta.case_name))
    return [t for t in topic_terms(idf, _terms(question)) if t not in name and op.id not in idf.opinions(t)]


# --- answer type: a question that asks for a figure ---------------------------------------------------
# "How long ...", "How much ...", "What is the statute of limitations ...", "What was X's blood alcohol
# concentration?": the answer is a figure of a kind - a duration, a sum of money, a measurement, a count
# or a date. A quote that states none of that kind is not an answer, however close its words (question
# classification's NUM classes, Li & Roth 2002, narrowed to unambiguous forms: "level", "sentence" and
# "period" alone are left out - "level of scrutiny").
_NUMBER_WORDS = (r"two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|"
                 r"seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|"
                 r"thousand|million|billion|dozen")
_AMOUNT = rf"(?:\d[\d,]*(?:\.\d+)?|{_NUMBER_WORDS}|one|several|a|an)"  # "twelve", "a", "3-", "two or three"
_AMOUNTS = rf"\b{_AMOUNT}(?:[\s-]+(?:or\s+|to\s+)?{_AMOUNT})*"
_DURATION = rf"{_AMOUNTS}[\s-]+(?:years?|months?|weeks?|days?|hours?|minutes?)\b"
_MONEY = rf"[$£€]\s?\d|{_AMOUNTS}\s+(?:dollars|cents)\b"
FIGURE_KINDS = {
    "duration": re.compile(_DURATION, re.I),
    "money": re.compile(_MONEY, re.I),
    "sentence": re.compile(rf"{_DURATION}|{_MONEY}|\b(?:death|life\s+imprisonment|probation)\b", re.I),
    "measure": re.compile(r"(?<![\w.])(?:\d*\.\d+|\d+(?:\.\d+)?\s*(?:%|percent|per\s?cent|mph|miles|feet|"
                          r"pounds|grams|degrees|years\s+old)|\d+-years?-old)", re.I),
    "date": re.compile(r"\b(?:1[6-9]\d\d|20\d\d)\b|\b(?:January|February|March|April|May|June|July|August|"
                       r"September|October|November|December)\s+\d", re.I),
    "count": re.compile(rf"(?<![\w.(/-])\d[\d,]*(?![\w)])|\b(?:{_NUMBER_WORDS})\b", re.I),
}
_QUESTION_KINDS = (
    ("sentence", re.compile(r"^\W*what\s+sentence\b|\bhow\s+(?:was|were)\s+[\w\s'’.-]{1,40}?"
                            r"\bsentenced\b", re.I)),  # a term, a fine, or death: what a court imposes
    ("duration", re.compile(r"^\W*how\s+long\b|^\W*how\s+many\s+(?:years|months|weeks|days|hours|minutes)\b|"
                            r"\b(?:statute\s+of\s+limitations|limitations\s+period|deadline|time\s+limit|"
                            r"duration)\b", re.I)),
    ("money", re.compile(r"^\W*how\s+much\b.*\b(?:damages|money|pay|paid|cost|award|fine|fees?|bail|worth|"
                         r"value[ds]?)\b|"
                         r"\bwhat\s+(?:is|was|were|are)\b.*\b(?:amount|sum)\s+of\b", re.I)),
    ("measure", re.compile(r"^\W*how\s+(?:old|fast|far)\b|\bwhat\s+(?:is|was|were|are)\s+(?:[\w'’.-]+\s+){0,5}?"
                           r"(?:concentration|percentage|speed|age|rate)\b", re.I)),
    ("date", re.compile(r"^\W*(?:in\s+)?what\s+year\b|^\W*on\s+what\s+date\b", re.I)),
    ("count", re.compile(r"^\W*how\s+(?:many|much|often)\b|\bwhat\s+(?:is|was)\s+the\s+number\s+of\b", re.I)),
)
FIGURE_NAMES = {"duration": "a length of time", "money": "a sum of money", "measure": "a measurement",
                "date": "a date or year", "count": "a number", "sentence": "a sentence imposed"}
# numerals that name a thing rather than state a figure: "§ 1983", "Rule 12", "No. 03-7766", "at 111 n.18"
_LABEL_BEFORE = re.compile(r"(?:§+|¶|\b(?:sections?|rules?|no|nos|amend(?:ment)?|art(?:icle)?|title|u\.s\.c|"
                           r"c\.f\.r|n|nn|fn|note|page|pp?|at|id|part|chapter|ch|cl|tit)\.?)\s*$", re.I)


def figure_asked(question: str) -> str | None:
    """The kind of figure the question asks for ("duration", "money", "measure", "date", "count"), if any."""
    for kind, pattern in _QUESTION_KINDS:
        if pattern.search(question):
            return kind
    return None


def states_figure(text: str, kind: str) -> bool:
    """Does ``text`` (citations already blanked out) state a figure of ``kind``? Numerals that label
    something ("§ 1983", "Rule 12", "n.18") do not count."""
    for m in FIGURE_KINDS[kind].finditer(text):
        if not _LABEL_BEFORE.search(text[max(0, m.start() - 16):m.start()]):
            return True
    return False


def without_citations(op: Opinion, start: int, end: int) -> str:
    """``op.text[start:end]`` with the citations eyecite found in it blanked out ("432 F.3d 98")."""
    chars = list(op.text[start:end])
    for c in op.cites:
        for i in range(max(start, c.start), min(end, c.end)):
            chars[i - start] = " "
    return "".join(chars)


def abstain(question: str, hits: Sequence[Hit], answerer: str, note: str) -> Answer:
    return Answer(question=question, sentences=(AnswerSentence(CANNOT_ANSWER, (), True, 0.0),), citations=(),
                  hits=tuple(hits), abstained=True, support=0.0, answerer=answerer, verified=True, note=note)


def library_case_names(lib) -> tuple[tuple[str, str], ...]:
    """(opinion id, case name) of the library's opinions, kept in its ``LibraryCache`` (cleared by ingest,
    sync, remove and edit) for the BM25 index they were read with (an ingest by another process, or a
    library still being built, adds opinions)."""
    def make() -> tuple[tuple[str, str], ...]:
        try:
            return tuple((oid, meta.case_name) for oid, meta, _ in lib.store.opinions() if meta.case_name)
        except Exception:  # noqa: BLE001 - a store without opinions() (tests): no names
            return ()

    lex = _lexical(lib)
    if lex is None:
        return make()  # no index to tell a change by: read them afresh
    return cached(lib, "answer.case_names", make, key=id(lex))
