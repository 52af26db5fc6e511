"""The abstention signals (``qa_bot.answer.abstain``), each on its own: unit tests with hand-made hits,
opinions and vectors where only the logic matters, and the real question library (real model, real
vectors: conftest's ``question_lib``) where the signal reads real scores."""

from __future__ import annotations

import numpy as np
import pytest

from qa_bot.answer import abstain as AB
from qa_bot.index.lexical import LibraryIdf
from qa_bot.index.vectors import Vectors
from qa_bot.types import Hit, Meta, Opinion, Part, Passage


def _hit(text: str, opinion_id: str = "x", author: str | None = None, rank: int = 1) -> Hit:
    return Hit(Passage(opinion_id, rank, text, 0, len(text), case_name="X v. Y", author=author), 1.0, rank)


def _idf(texts_by_opinion: dict[str, list[str]]) -> LibraryIdf:
    passages, n = [], 0
    for oid, texts in texts_by_opinion.items():
        for t in texts:
            passages.append(Passage(oid, n, t, 0, len(t), id=n))
            n += 1
    return LibraryIdf.of_passages(passages)


# --- a case the question names ------------------------------------------------------------------------
def test_a_named_case_is_known_only_where_one_name_or_one_passage_holds_both_parties():
    q = "What did the Court hold in Graham v. Connor about excessive force?"
    apart = [_hit("As Graham explained, the officer acted.", rank=1), _hit("Justice O'Connor dissented.", rank=2)]
    assert AB.unknown_cases(q, apart, ["Terry v. Ohio"]) == ["Graham v. Connor"]
    together = apart + [_hit("See Graham v. Connor, 490 U.S. 386 (1989).", rank=3)]
    assert AB.unknown_cases(q, together, ["Terry v. Ohio"]) == []
    assert AB.unknown_cases(q, apart, ["Graham v. Connor"]) == []  # the library holds it
    assert AB.unknown_cases("What did Miranda v. Arizona hold?", [], ["Miranda v. Arizona"]) == []


def test_a_justice_who_wrote_a_retrieved_passage_is_a_known_name():
    """"Chief Justice Burger" heads his dissent; its text never names him."""
    idf = _idf({"b": ["The Fourth Amendment was violated by the agents.", "The Chief Justice joined this opinion."]})
    q = "Why did Chief Justice Burger dissent in Bivens?"
    assert AB.unknown_names(q, idf) == ["Chief Justice Burger"]
    assert AB.unknown_names(q, idf, known=["Burger"]) == []


# --- a name the quoted opinion never mentions ------------------------------------------------------------
def _opinion(oid: str, name: str, text: str, authors=()) -> Opinion:
    return Opinion(id=oid, meta=Meta(case_name=name), text=text,
                   parts=tuple(Part(0, len(text), "dissent", a) for a in authors))


def test_a_name_the_library_uses_but_the_quoted_opinion_never_does():
    idf = _idf({"pena": ["Grey drove drunk and killed the Herrera family.", "Grey was an officer."],
                "mir": ["Miranda warnings precede interrogation.", "The Court reversed the conviction."]})
    mir = _opinion("mir", "Miranda v. Arizona", "Miranda warnings precede interrogation.", authors=["Harlan"])
    assert AB.absent_names("Were Grey's Miranda rights violated?", mir, idf) == ["Grey's"]
    assert AB.absent_names("How much did the jury award the Herrera family?", mir, idf) == ["Herrera"]
    # its own case name, its authors, the words that say what kind of answer is wanted, the first word
    assert AB.absent_names("What did the Supreme Court hold in Miranda v. Arizona?", mir, idf) == []
    assert AB.absent_names("Why did Justice Harlan dissent?", mir, idf) == []
    assert AB.absent_names("Grey was questioned; was that lawful?", mir, idf) == []
    # a name the library never uses is unknown_names's business, not this signal's
    assert AB.absent_names("Did the Court cite Smith here?", mir, idf) == []


def test_a_topic_no_retrieved_passage_uses(monkeypatch):
    monkeypatch.setattr(AB, "SALIENT_IDF", 1.0)
    idf = _idf({"a": [f"Misdemeanor counsel rule {i}." for i in range(4)], "b": ["Felony trials need counsel."] * 4,
                "c": [f"Unrelated words {i}." for i in range(20)]})
    hits = [_hit("Felony trials need counsel.", "b")]
    assert AB.unretrieved_topics("Does counsel extend to misdemeanor cases?", hits, idf) == ["misdemeanor"]
    assert AB.unretrieved_topics("Does counsel extend to misdemeanor cases?", hits + [
        _hit("Misdemeanor counsel rule 1.", "a")], idf) == []


# --- the library's own score distribution ------------------------------------------------------------------
def test_the_score_floor_is_a_quantile_of_each_passages_best_match_in_another_opinion():
    """Two opinions of two passages each: passage 0 and 1 (opinion a) are identical, so each one's best
    match is its twin, which the floor must skip; their best in opinion b is cos 0.6."""
    v = np.zeros((4, 4), dtype=np.float32)
    v[0] = v[1] = [1, 0, 0, 0]
    v[2] = [0.6, 0.8, 0, 0]
    v[3] = [0, 0, 1, 0]
    vecs = Vectors(4)
    vecs.add([0, 1, 2, 3], v)
    owner = {0: "a", 1: "a", 2: "b", 3: "b"}
    # best in another opinion: 0 -> 0.6, 1 -> 0.6, 2 -> 0.6, 3 -> 0.0
    assert AB.score_floor(vecs, owner, quantile=0.0) == pytest.approx(0.0)
    assert AB.score_floor(vecs, owner, quantile=1.0) == pytest.approx(0.6)
    assert AB.score_floor(vecs, {i: "a" for i in range(4)}) is None  # one opinion: nothing to compare
    assert AB.score_floor(Vectors(4), {}) is None


# --- which signals abstain, and the note from the rest --------------------------------------------------
def test_abstaining_signals_and_the_note_come_from_one_list():
    sig = [AB.Signal("weak_score", "Score is low."), AB.Signal("absent_topic", "Topic missing."),
           AB.Signal("absent_name", "Name missing.")]
    assert AB.decisive(sig).name == "absent_name"
    assert AB.decisive(sig[:2]) is None
    assert AB.weak_note(sig) == "Support is weak: Topic missing. Score is low."  # in SIGNALS order
    assert AB.weak_note([]) == ""
    assert AB.ABSTAIN_ON <= set(AB.SIGNALS)


def test_no_role_signal_for_an_opinion_stored_without_roles(pena_lib):
    """A holding question whose quoted sentences carry no role (a store from before roles) gets no role
    note: the role fit cannot be judged."""
    from qa_bot.answer.ask import ask
    from conftest import fake_embed

    a = ask(pena_lib, "What did the court hold about qualified immunity for the pre-accident defendants?",
            embed=fake_embed, abstain_threshold=0.0)
    assert not a.abstained and "unfit_role" not in a.signals, a.signals


# --- real scores ---------------------------------------------------------------------------------------------
def test_the_floor_abstains_off_library_questions_but_not_one_naming_a_held_case(question_lib):
    """Real model, real vectors (Pena + four Supreme Court opinions). A question about a held case that
    its words match poorly ("under Katz": opinions seldom use their own name) is answered; a question about
    divorce law, which the library does not hold, scores below the library's floor and abstains."""
    floor = AB.retrieval_floor(question_lib)
    assert floor is not None and 0.2 < floor < 0.9
    katz = question_lib.ask("What is the test for a search under Katz?")
    assert not katz.abstained and "low_retrieval" not in katz.signals, katz.signals
    q = "Under what circumstances can alimony agreements be modified after a divorce?"
    assert AB.library_best(question_lib, q) < floor
    off = question_lib.ask(q, abstain_threshold=0.0)  # the sentence-score threshold off: this signal alone
    assert off.abstained and "low_retrieval" in off.signals, off.signals
    assert "below what 95% of the library's own passages reach in another opinion" in off.note, off.note
