"""What a question asks for (retrieve/question.py), and how the ranking (retrieve/rank.py) and the answer's
composition (answer/compose.py) use it."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from qa_bot.ingest.sentences import opinion_sentences
from qa_bot.retrieve import rank
from qa_bot.retrieve.question import Intent, analyse, short_name
from qa_bot.types import Passage

NAMES = (("terry", "Terry v. Ohio"), ("katz", "Katz v. United States"), ("mapp", "Mapp v. Ohio"),
         ("pena", "Pena v. DePrisco"), ("chadwick", "United States v. Chadwick"),
         ("hayden", "Warden, Maryland Penitentiary v. Hayden"), ("thiboutot", "Maine v. Thiboutot"),
         ("classic", "United States v. Classic"))
COURTS = (("ca2", "United States Court of Appeals for the Second Circuit"), ("scotus", "Supreme Court of the United States"))


@pytest.mark.parametrize("name, short", [("Katz v. United States", "Katz"), ("United States v. Chadwick", "Chadwick"),
                                         ("Warden, Maryland Penitentiary v. Hayden", "Hayden"),
                                         ("Maine v. Thiboutot", "Thiboutot"), ("Pena v. DePrisco", "Pena")])
def test_short_names_are_the_ones_lawyers_use(name, short):
    assert short_name(name) == short


@pytest.mark.parametrize("question, form, part, author, opinions", [
    ("What did the Second Circuit hold about qualified immunity for the officers in Pena?", "holding", None, None,
     {"pena"}),
    ("Why was the police officer's search in Terry v. Ohio reasonable?", "reasoning", None, None, {"terry"}),
    ("What is the test for a search under Katz?", "rule", None, None, {"katz"}),
    ("What did Justice Harlan say in his Katz concurrence?", "reasoning", "concurrence", "Harlan", {"katz"}),
    ("Why did Justice Blackmun dissent in Chadwick?", "reasoning", "dissent", "Blackmun", {"chadwick"}),
    ("What did the petitioner argue in Mapp?", "argument", None, None, {"mapp"}),
    ("What did the district court rule on the motion to dismiss?", "procedure", None, None, set()),
    ("Who was killed when Grey drove through the red lights?", "facts", None, None, set()),
    ("Does the exclusionary rule apply to the states?", "holding", None, None, set()),
    ("Can police stop and frisk someone without probable cause?", "holding", None, None, set()),
    ("Did the NYPD ever take Grey to task over his boozing?", None, None, None, set()),  # a yes/no of fact
    ("Classic cases on color of law?", None, None, None, set()),  # a first word is not a case name
    ("Is the Hayden rule on mere evidence still good law?", "holding", None, None, {"hayden"}),
])
def test_form_part_and_named_opinions(question, form, part, author, opinions):
    it = analyse(question, NAMES, COURTS)
    assert (it.form, it.part, it.author, set(it.opinions)) == (form, part, author, opinions)


def test_named_courts_and_topical():
    assert analyse("What did the Second Circuit hold?", NAMES, COURTS).courts == {"ca2"}
    assert not analyse("What did the Court hold in Mapp v. Ohio?", NAMES, COURTS).topical  # names and form only
    assert analyse("What did the Court hold in Mapp about the exclusionary rule?", NAMES, COURTS).topical
    assert analyse("Why did Justice Black dissent in Katz?", NAMES, COURTS).topical is False


@pytest.mark.parametrize("question, back", [
    ("And what about the dissent?", True), ("What about the officers?", True), ("Is it still good law?", True),
    ("Why was the frisk in Terry v. Ohio reasonable?", False),  # names a case: stands alone
    ("Can police stop and frisk someone on reasonable suspicion of a crime without probable cause to arrest?",
     False),
])
def test_follow_ups_are_the_questions_that_refer_back(question, back):
    assert analyse(question, NAMES, COURTS).refers_back is back


def _p(pid, oid, part="majority", author=None):
    return Passage(opinion_id=oid, ordinal=pid, text="x", start=0, end=1, part=part, author=author, id=pid)


def test_prefer_ranks_by_role_part_and_front_matter():
    passages = {1: _p(1, "a"), 2: _p(2, "a"), 3: _p(3, "a"), 4: _p(4, "a", "dissent", "Douglas")}
    roles = {1: ["caption"], 2: ["reasoning", "argument"], 3: ["reasoning", "holding"], 4: ["reasoning"]}
    fused = [(1, 0.9, {}), (2, 0.8, {}), (3, 0.7, {}), (4, 0.6, {})]
    holding = Intent(form="holding")
    assert [f[0] for f in rank.prefer(fused, passages, roles, holding)] == [3, 2, 4, 1]
    dissent = Intent(form="reasoning", part="dissent", author="Douglas")
    assert rank.prefer(fused, passages, roles, dissent)[0][0] == 4
    # the named opinion's passages first, the asked-about part of it before the rest
    passages[5] = _p(5, "b")
    routed = rank.route(fused + [(5, 0.5, {})], passages, frozenset({"b"}))
    assert [f[0] for f in routed] == [5, 1, 2, 3, 4]
    assert [f[0] for f in rank.route(fused, passages, frozenset({"a"}), {4})][:1] == [4]


def _cand(role, score, oid="a", part="majority", author=None, start=0):
    return SimpleNamespace(role=role, score=score, text="A sentence of the court.", group=start, start=start,
                           op=SimpleNamespace(id=oid), part=part, author=author)


def test_compose_leads_with_the_holding_of_the_opinion_that_answers_and_labels_what_each_sentence_is():
    from qa_bot.answer import compose

    intent = Intent(form="holding", opinions=frozenset({"a"}))
    cands = [_cand("reasoning", 0.60, start=1), _cand("holding", 0.55, start=2), _cand("argument", 0.58, start=3),
             _cand("holding", 0.70, oid="b", start=4), _cand("reasoning", 0.59, part="dissent", author="Douglas",
                                                              start=5)]
    home = compose.home(cands, intent)
    assert home == "a"  # named, though "b" has the best sentence
    compose.adjust(cands, intent, home)
    assert cands[1].score == pytest.approx(0.55 * 1.25) and cands[3].score == pytest.approx(0.70)  # not at home
    assert cands[2].score == pytest.approx(0.58 * 0.75) and cands[4].score == pytest.approx(0.59 * 0.75)
    ordered = compose.order(cands, intent, home)
    assert [c.start for c in ordered] == [2, 1, 3, 4, 5]  # holding, reasoning, argument, other opinion, dissent
    assert [compose.label(c) for c in ordered] == ["Holding", "Court", "Argument", "Holding",
                                                   "Dissent (Douglas, J.)"]
    never = [_cand("caption", 0.9), _cand("other", 0.9), SimpleNamespace(**{**vars(_cand("reasoning", 0.9)),
                                                                            "text": "Was it reasonable?"})]
    assert compose.focus(never, intent) == []
    asked = Intent(form="reasoning", part="dissent")
    assert [c.start for c in compose.focus(cands, asked)] == [5]


def _sentence_of(op, words: str, role: str = "facts", score: float = 0.5):
    start = op.text.index(words)
    end = next(e for s, e in opinion_sentences(op, start, len(op.text)) if s == start)
    return SimpleNamespace(role=role, score=score, text=op.text[start:end], group=start, start=start, end=end, op=op,
                           part="majority", author=None)


@pytest.mark.parametrize("sentence, back", [
    ("It began in the company of fellow police officers and supervisory police sergeants.", True),
    ("This is conduct that shocks the conscience.", True),
    ("Such a rule would be unworkable.", True),
    ("That is not this case.", True),
    ("He then pleaded not guilty, had witnesses summoned, cross-examined the State's witnesses.", True),
    ("It is well established that an immediate search of luggage carried by an arrested person is proper.", False),
    ("This Court has never held that the Fourth Amendment protects people from negligence.", False),
    ("That government hires lawyers to prosecute ... are the strongest indications of the belief.", False),
    ("When Grey ended his shift at 8:00 a.m., he embarked on a twelve hour drinking binge.", False),
])
def test_which_sentences_refer_back_to_the_one_before(sentence, back):
    from qa_bot.answer import compose

    assert compose.refers_back(sentence) is back


def test_the_lead_is_quoted_so_that_it_reads_alone(pena_opinion):
    """Pena, 432 F.3d at 103: "It began in the company of ..." is about the binge of the sentence before it."""
    from qa_bot.answer import compose

    op = pena_opinion
    binge = _sentence_of(op, "When Grey ended his shift")
    began = _sentence_of(op, "It began in the company")
    healy = _sentence_of(op, "Around noon, Grey")
    spans = lambda a, b: opinion_sentences(op, a, b)  # noqa: E731
    # a lead that refers back carries the sentence before it
    assert compose.lead_span([began, healy], spans) == (binge.start, began.end)
    # a chosen sentence that refers back to the lead is quoted with it; one that does not is not
    assert compose.lead_span([binge, healy, began], spans) == (binge.start, began.end)
    assert compose.lead_span([binge, healy], spans) is None
    # the first sentence of a paragraph has nothing before it to carry
    assert compose.lead_span([binge], spans) is None


def test_a_holding_that_states_its_proposition_leads_before_one_that_points_at_it():
    """Escobedo v. Illinois, 378 U.S. 478, 479 and 490-91."""
    from qa_bot.answer import compose

    pointing = _cand("holding", 0.8, start=1)
    pointing.text = ("We conclude, for the reasons stated below, that it was not and, accordingly, we reverse the "
                     "judgment of conviction.")
    stating = _cand("holding", 0.6, start=2)
    stating.text = ("We hold, therefore, that where, as here, the investigation is no longer a general inquiry into "
                    "an unsolved crime but has begun to focus on a particular suspect, ... the accused must be "
                    "permitted to consult with his lawyer.")
    assert compose.elliptical(pointing.text) and not compose.elliptical(stating.text)
    assert compose.order([pointing, stating], Intent(form="holding"), "a")[0] is stating
    assert compose.order([pointing], Intent(form="holding"), "a")[0] is pointing  # the only one still leads


def test_a_why_question_is_not_answered_by_a_bare_vote():
    from qa_bot.answer import compose

    why = Intent(form="reasoning", part="dissent")
    vote = _cand("disposition", 0.7, part="dissent", author="Blackmun", start=1)
    reason = _cand("reasoning", 0.6, part="dissent", author="Blackmun", start=2)
    compose.adjust([vote, reason], why, "a")
    assert reason.score > vote.score
    judgment = _cand("disposition", 0.7, start=3)
    compose.adjust([judgment], Intent(form="procedure"), "a")
    assert judgment.score > 0.7  # what was done answers "what did the court do"
