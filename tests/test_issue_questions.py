"""The questions a new user asked (issue 8), over a real library: each gets the holding, rule, reasons or
dissent it asks for, from the case it names, with pins; a follow-up uses the conversation only when it
refers back."""

from __future__ import annotations

QI = "What did the Second Circuit hold about qualified immunity for the officers in Pena?"
TERRY = "Why was the police officer's search in Terry v. Ohio reasonable?"
DISSENT = "And what about the dissent?"
KATZ = "What is the test for a search under Katz?"


def _cases(answer) -> set[str]:
    return {c.full.split(",")[0] for c in answer.citations}


def test_holding_question_leads_with_the_holding_of_the_case_it_names(question_lib):
    a = question_lib.ask(QI)
    lead = a.sentences[0]
    assert not a.abstained and lead.label == "Holding"
    assert "entitled to qualified immunity" in lead.text
    (cit,) = [c for c in a.citations if c.number == lead.citations[0]]
    assert cit.full == "Pena v. DePrisco, 432 F.3d 98, 115 (2d Cir. 2005)"
    assert _cases(a) == {"Pena v. DePrisco"}  # no amicus caption of another case, no Bivens
    assert not any(s.label in ("Argument", "Issue") for s in a.sentences[:1])


def test_why_question_gets_the_courts_reasons_not_issue_framing_or_a_concurrence(question_lib):
    a = question_lib.ask(TERRY)
    assert not a.abstained and _cases(a) == {"Terry v. Ohio"}
    assert a.sentences[0].label in ("Court", "Holding")  # the court's own words
    assert not any(s.label.startswith(("Concurrence", "Dissent")) or s.label == "Issue" for s in a.sentences)
    assert not any(s.text.startswith(("That is, we must decide", "The crux of this case")) for s in a.sentences)
    assert all(c.pin for c in a.citations)


def test_follow_up_about_the_dissent_quotes_the_dissent_of_the_case_under_discussion(question_lib):
    first = question_lib.ask(TERRY)
    a = question_lib.ask(DISSENT, history=[first])
    assert not a.abstained and a.sentences
    assert all(s.label == "Dissent (Douglas, J.)" for s in a.sentences)
    assert all(c.full.startswith("Terry v. Ohio, 392 U.S. 1, ") and c.full.endswith("(Douglas, J., dissenting)")
               for c in a.citations)


def test_test_question_is_answered_from_the_case_it_names(question_lib):
    a = question_lib.ask(KATZ)
    assert not a.abstained and _cases(a) == {"Katz v. United States"}  # not Chimel
    assert not any(s.text.rstrip("”\"’' )").endswith("?") for s in a.sentences)  # never a question as an answer
    assert a.sentences[0].label in ("Court", "Holding")  # the majority's, not a separate opinion's


def test_a_self_contained_question_after_another_case_is_searched_alone(question_lib):
    first = question_lib.ask(QI)
    a = question_lib.ask("Why was the frisk in Terry v. Ohio reasonable?", history=[first])
    assert _cases(a) == {"Terry v. Ohio"}
    assert a.hits[0].passage.case_name == "Terry v. Ohio"
