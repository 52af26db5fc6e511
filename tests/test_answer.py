"""The extractive answerer and the verifier, on real text of Pena v. DePrisco in a real SQLite store.

The opinion, its passages and the tiny library around them (``FakeLibrary``, ``pena_lib``) are
conftest's: built from tests/data/pena-v-deprisco.txt without the ingest pipeline, with hits ranked
by a small lexical scorer in place of the retriever.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from conftest import PENA_META, FakeLibrary, assert_exact, fake_embed

from qa_bot.answer.ask import ask, ask_stream
from qa_bot.ingest.sentences import sentence_spans
from qa_bot.answer.verify import linked_authorities, verify
from qa_bot.errors import BadQuestion
from qa_bot.types import CANNOT_ANSWER, Answer, AnswerSentence, Hit, Meta, Opinion, Passage, format_pin


# --- sentences ---------------------------------------------------------------------------------
def test_sentence_spans_keep_legal_abbreviations_and_citations_whole():
    text = ("The district court denied the motion. See Small v. City of New York, 274 F.Supp.2d 271, 282 "
            "(E.D.N.Y. 2003). Some of the defendants appeal under 42 U.S.C. § 1983, e.g. Officer Smith. "
            "We agree.")
    spans = sentence_spans(text)
    assert [text[s:e] for s, e in spans] == [
        "The district court denied the motion.",
        "See Small v. City of New York, 274 F.Supp.2d 271, 282 (E.D.N.Y. 2003).",
        "Some of the defendants appeal under 42 U.S.C. § 1983, e.g. Officer Smith.",
        "We agree.",
    ]
    assert sentence_spans("  One sentence here.  ", 10) == [(12, 30)]


def test_fixture_opinion_is_consistent(pena_lib):
    op = pena_lib.store.opinion("pena")
    assert op.page_at(0) == 102 and op.pages[-1][1] == 115
    assert "Grey, while heavily intoxicated" in op.text  # footnote marker 1 removed
    fn = op.footnotes[0]
    assert op.text[fn.start : fn.end].startswith("There is some discrepancy")
    assert all(p.text == op.text[p.start : p.end] for p in pena_lib.passages)


# --- the extractive answerer ---------------------------------------------------------------------
def test_extractive_answer_quotes_exact_text_with_sentence_pins(pena_lib, real_embed):
    a = ask(pena_lib, "What must plaintiffs show for a state-created danger claim?", embed=real_embed)
    assert not a.abstained and a.answerer == "extractive" and a.verified
    assert 1 <= len(a.sentences) <= 4
    assert_exact(a, pena_lib)
    op = pena_lib.store.opinion("pena")
    for c in a.citations:
        fn = op.footnote_at(c.start)
        expected = format_pin(fn.page, None, fn.label) if fn else format_pin(op.page_at(c.start), op.page_at(c.end - 1))
        assert c.pin == expected
        assert c.full == f"Pena v. DePrisco, 432 F.3d 98, {c.pin} (2d Cir. 2005)"
        assert c.short == f"Pena, 432 F.3d at {c.pin}"
    # readable order: one opinion, sentences by position; no sentence twice
    starts = [c.start for c in a.citations]
    assert starts == sorted(starts) and len(set(starts)) == len(starts)
    assert "state" in a.text.lower() and "danger" in a.text.lower()


def test_pin_is_the_sentence_page_not_the_passage_start(pena_lib):
    op = pena_lib.store.opinion("pena")
    brk = dict((p, o) for o, p in op.pages)[109]
    p = next(p for p in pena_lib.passages if p.start < brk < p.end and op.text[brk:p.end].count(". ") >= 1)
    assert p.pin.startswith("108-")
    after = [(s, e) for s, e in sentence_spans(op.text[p.start : p.end], p.start) if s >= brk][0]
    sentence = op.text[after[0] : after[1]]
    a = ask(FixedHits(pena_lib, [p]), sentence, embed=fake_embed, max_sentences=1)
    assert a.sentences[0].text == sentence
    assert a.citations[0].pin == "109"


def test_footnote_sentence_cites_marker_page_and_note(pena_lib):
    op = pena_lib.store.opinion("pena")
    fn = next(f for f in op.footnotes if f.label == "18")
    p = next(p for p in pena_lib.passages if p.footnote == "18")
    sentence = op.text[slice(*sentence_spans(p.text, p.start)[0])]
    a = ask(FixedHits(pena_lib, [p]), sentence, embed=fake_embed, max_sentences=1)
    assert a.citations[0].pin == f"{fn.page} n.18"
    assert a.citations[0].short == f"Pena, 432 F.3d at {fn.page} n.18"
    assert_exact(a, pena_lib)


class FixedHits:
    """A library whose search returns the given passages (and the real store for opinion text)."""

    def __init__(self, lib, passages):
        self.settings, self.store, self._p = lib.settings, lib.store, passages

    def search(self, question, **options):
        return [Hit(p, 1.0 / r, r) for r, p in enumerate(self._p, 1)]


def test_duplicate_hits_give_no_repeated_sentence(pena_lib):
    p = pena_lib.passages[5]
    a = ask(FixedHits(pena_lib, [p, p, p]), p.text, embed=fake_embed, max_sentences=4)
    quotes = [c.quote for c in a.citations]
    assert len(quotes) == len(set(quotes)) >= 1


def test_unrelated_question_abstains_with_closest_passages(pena_lib, real_embed):
    a = ask(pena_lib, "What is the boiling point of liquid nitrogen in kelvin?", embed=real_embed)
    assert a.abstained and a.sentences[0].text == CANNOT_ANSWER and not a.citations
    assert a.hits and a.text == CANNOT_ANSWER


def test_threshold_option_forces_abstention_and_weak_note(pena_lib):
    q = "Did the officers have qualified immunity?"
    assert ask(pena_lib, q, embed=fake_embed, abstain_threshold=0.99).abstained
    weak = ask(pena_lib, q, embed=fake_embed, abstain_threshold=0.0, weak_threshold=0.99)
    assert not weak.abstained and weak.note.startswith("Support is weak")


def test_bad_questions_and_options_are_clear_errors(pena_lib):
    with pytest.raises(BadQuestion, match="empty"):
        ask(pena_lib, "   ", embed=fake_embed)
    with pytest.raises(BadQuestion, match="answerer"):
        ask(pena_lib, "immunity?", answerer="oracle", embed=fake_embed)
    with pytest.raises(BadQuestion, match="ask option 'colour'"):
        ask(pena_lib, "immunity?", colour="red", embed=fake_embed)
    with pytest.raises(BadQuestion, match="max_sentences"):
        ask(pena_lib, "immunity?", max_sentences=0, embed=fake_embed)


def test_stream_yields_text_then_answer_and_passes_search_options(pena_lib):
    pieces = list(ask_stream(pena_lib, "qualified immunity clearly established", embed=fake_embed, k=5, mode="bm25"))
    assert isinstance(pieces[-1], Answer) and all(isinstance(p, str) for p in pieces[:-1])
    assert "".join(pieces[:-1]).strip() == pieces[-1].text
    assert pena_lib.searches[-1] == ("qualified immunity clearly established", {"k": 5, "mode": "bm25"})


def test_follow_up_question_is_searched_with_the_previous_one(pena_lib):
    ask(pena_lib, "and the PBA?", history=[("Who had qualified immunity?", "...")], embed=fake_embed)
    assert pena_lib.searches[-1][0] == "Who had qualified immunity? and the PBA?"


@pytest.mark.parametrize("question", ["", "  \t ", "\x00\x07\x1b", "q" * 2001, 42])
def test_ask_rejects_what_search_rejects_with_the_same_message(pena_lib, question):
    from qa_bot.retrieve.question import clean_question

    with pytest.raises(BadQuestion) as by_search:
        clean_question(question, pena_lib.settings.retrieve.max_question_chars)  # what Retriever.search runs
    with pytest.raises(BadQuestion) as by_ask:
        ask(pena_lib, question, embed=fake_embed)
    assert str(by_ask.value) == str(by_search.value)


def test_the_question_is_cleaned_once_before_search_and_answer(pena_lib):
    a = ask(pena_lib, "  Who\x07 had   qualified\u200b immunity? ", embed=fake_embed)
    assert pena_lib.searches[-1][0] == a.question == "Who had qualified immunity?"


def test_chat_history_is_read_in_one_place_whatever_its_form(pena_lib):
    from qa_bot.answer.ask import chat_turns
    from qa_bot.answer.llm import build_messages

    earlier = ask(pena_lib, "Who had qualified immunity?", embed=fake_embed)
    turns = chat_turns([earlier, ("And the PBA?", "It was dismissed."), "What about Grey?"])
    assert turns == [(earlier.question, earlier.text), ("And the PBA?", "It was dismissed."), ("What about Grey?", "")]
    msgs = build_messages("and the officers?", [], history=turns)
    assert [m["role"] for m in msgs] == ["system", "user", "assistant", "user", "assistant", "user", "user"]
    assert msgs[1]["content"] == f"Question: {earlier.question}" and msgs[2]["content"] == earlier.text


# --- the verifier --------------------------------------------------------------------------------
def _draft(lib, sentences, passages):
    from qa_bot.answer.cite import make_citation

    op = lib.store.opinion("pena")
    cits = tuple(make_citation(n, p, op, p.start, p.end) for n, p in enumerate(passages, 1))
    return Answer(question="q", sentences=tuple(AnswerSentence(t, c) for t, c in sentences), citations=cits,
                  answerer="llm")


def _opinion(lib):
    return lambda oid: lib.store.opinion(oid)


def test_verifier_removes_markers_pointing_nowhere_and_unsupported_sentences(pena_lib, real_embed):
    p = next(p for p in pena_lib.passages if "qualified immunity" in p.text)
    good = p.text.split(". ")[0].rstrip(".") + "."
    draft = _draft(pena_lib, [(good, (1, 7)), ("The moon is made of cheese and orbits Mars.", (1,)),
                              ("Nothing cites this sentence.", ())], [p])
    st = pena_lib.settings.answer
    out = verify(draft, _opinion(pena_lib), st, embed=real_embed)
    assert [s.text for s in out.sentences] == [good]
    assert out.sentences[0].citations == (1,) and "[7] points at no citation" in out.sentences[0].flag
    assert out.verified and "2 sentences removed" in out.note
    marked = verify(draft, _opinion(pena_lib), replace(st, drop_unsupported=False), embed=real_embed)
    assert [s.supported for s in marked.sentences] == [True, False, False]
    assert not marked.verified and marked.sentences[2].flag == "no citation supports this sentence"


def test_verifier_flags_invented_quotations_and_case_citations(pena_lib, real_embed):
    p = next(p for p in pena_lib.passages if "Dwares" in p.text and "985 F.2d 94" in p.text)
    st = replace(pena_lib.settings.answer, drop_unsupported=False)
    fake_quote = 'The court held that "officers may always encourage drunk driving without liability" here [1].'
    fake_cite = "Dwares governs this case. See Roe v. Wade, 410 U.S. 113 (1973)."
    real_cite = "The court relied on Dwares v. City of New York, 985 F.2d 94."
    out = verify(_draft(pena_lib, [(fake_quote, (1,)), (fake_cite, (1,)), (real_cite, (1,))], [p]),
                 _opinion(pena_lib), st, embed=real_embed)
    s1, s2, s3 = out.sentences
    assert not s1.supported and "quotation" in s1.flag
    assert not s2.supported and "410 U.S. 113" in s2.flag
    assert s3.supported and s3.flag == ""


def test_citation_that_does_not_resolve_to_opinion_text_is_removed(pena_lib, real_embed):
    p = pena_lib.passages[3]
    draft = _draft(pena_lib, [(p.text, (1,))], [p])
    tampered = replace(draft, citations=(replace(draft.citations[0], quote="invented words"),))
    out = verify(tampered, _opinion(pena_lib), pena_lib.settings.answer, embed=real_embed)
    assert out.sentences == () and out.citations == () and not out.verified


def test_citations_are_renumbered_in_order_of_use(pena_lib, real_embed):
    a, b = pena_lib.passages[2], pena_lib.passages[9]
    out = verify(_draft(pena_lib, [(b.text, (2,)), (a.text, (1,))], [a, b]), _opinion(pena_lib),
                 pena_lib.settings.answer, embed=real_embed)
    assert [s.citations for s in out.sentences] == [(1,), (2,)]
    assert [c.quote for c in out.citations] == [b.text, a.text] and out.support == 1.0


def test_linked_authorities_link_held_opinions_and_mark_the_rest(tmp_path):
    lib = FakeLibrary(tmp_path)
    p = next(p for p in lib.passages if "985 F.2d 94" in p.text)
    assert ("985 F.2d 94", None) in linked_authorities(lib, p)
    dwares = Opinion(id="dwares", meta=Meta(case_name="Dwares v. City of New York", citation="985 F. 2d 94"),
                     text="The Dwares opinion.")
    with lib.store.transaction():
        lib.store.add_opinion(dwares, [])
    links = linked_authorities(lib, p)
    assert ("985 F.2d 94", "dwares") in links
    assert all(oid in (None, "dwares") for _, oid in links)
    lib.store.close()


# --- abstention signals, page pieces, no per-sentence embedding ---------------------------------
def test_question_about_something_the_library_never_names_abstains(pena_lib, real_embed):
    """Real unanswerable questions from eval/sets/pena_dev.jsonl over the real Pena library: the
    Dram Shop Act and Castle Rock v. Gonzales are names the library never uses."""
    for q in ("Is a bar liable under New York's Dram Shop Act for serving a visibly intoxicated patron "
              "who later causes a crash?",
              "What did the Supreme Court hold in Town of Castle Rock v. Gonzales about enforcing a "
              "restraining order?"):
        a = ask(pena_lib, q, embed=real_embed)
        assert a.abstained and not a.citations and a.hits, q
        assert "no opinion named" in a.note


def test_named_case_the_passages_discuss_is_answered(pena_lib, real_embed):
    a = ask(pena_lib, "What rule from DeShaney v. Winnebago County did the plaintiffs have to get around?",
            embed=real_embed)
    assert not a.abstained and "DeShaney" in " ".join(c.quote for c in a.citations)


def test_a_name_or_topic_the_quoted_opinion_never_uses(tmp_path, real_embed, monkeypatch):
    """A second opinion (Miranda-like: the term recurs in every one of its passages) makes "miranda" a
    topic of the library. A question about Grey's Miranda rights names Miranda, which Pena never
    mentions: it must not be answered from Pena (a name, ``absent_name``, abstains). The same topic
    written as a common word is only noted (``absent_topic``: paraphrased questions use words their
    answer does not). SALIENT_IDF is lowered to this 150-passage library's scale (the default suits
    thousands)."""
    from qa_bot.answer import abstain
    from qa_bot.answer.abstain import library_case_names, library_idf
    from qa_bot.answer.extractive import extractive

    monkeypatch.setattr(abstain, "SALIENT_IDF", 3.0)

    lib = FakeLibrary(tmp_path)
    other = Opinion(id="m", meta=Meta(case_name="Arizona v. Suspect", citation="384 U.S. 436"),
                    text=" ".join(f"Miranda warnings must precede custodial interrogation number {i}." for i in range(6)))
    spans = sentence_spans(other.text)
    with lib.store.transaction():
        lib.store.add_opinion(other, [Passage("m", i, other.text[s:e], s, e, case_name="Arizona v. Suspect")
                                      for i, (s, e) in enumerate(spans)])
    idf = library_idf(lib)
    assert "miranda" in abstain.topic_terms(idf, ["miranda", "grey"]) and not abstain.topic_terms(idf, ["grey"])
    pena_hits = [h for h in lib.search("Grey questioned after the crash police") if h.passage.opinion_id == "pena"]
    for q, abstains in (("Were Grey's Miranda rights violated when he was questioned after the crash?", True),
                        ("Were Grey's miranda rights violated when he was questioned after the crash?", False)):
        a = extractive(q, pena_hits, lib.store.opinion, real_embed, lib.settings.answer, idf=idf,
                       case_names=library_case_names(lib))
        assert "absent_topic" in a.signals and ("absent_name" in a.signals) == abstains, (q, a.signals)
        assert a.abstained == abstains, (q, a.signals)
        assert ("never mention Miranda" in a.note) if abstains else ("'miranda'" in a.note and a.citations)
    lib.store.close()


def test_sentence_split_at_a_page_break_pins_each_piece(pena_lib):
    """Pena's DeShaney sentence breaks from 107 to 108 after "(1989),": each piece cites its own page."""
    from qa_bot.answer.cite import sentence_pin
    from qa_bot.answer.spans import page_pieces

    op = pena_lib.store.opinion("pena")
    start = op.text.index("Therefore, in order to proceed")
    end = op.text.index("Due Process Clause.”", start) + len("Due Process Clause.”")
    pieces = page_pieces(op, start, end)
    assert len(pieces) == 2 and op.text[pieces[1][0]:].startswith("that “a State’s failure")
    assert [sentence_pin(op, a, b) for a, b in pieces] == ["107", "108"]
    p = next(p for p in pena_lib.passages if p.start <= start < p.end)
    a = ask(FixedHits(pena_lib, [p]), "What rule did the plaintiffs have to get around from DeShaney?",
            embed=fake_embed, max_sentences=1, abstain_threshold=0.0)
    assert [c.pin for c in a.citations] == ["107", "108"] and a.text.count("[") == 2
    assert_exact(a, pena_lib)


def test_a_page_break_inside_a_citation_does_not_cut_the_sentence():
    """Hudson v. Palmer at 530-31: "Reasoning under Parratt v. Taylor, *531 451 U.S. 527 (1981), it held
    ..." was quoted as two sentences, the first "Reasoning under Parratt v. Taylor," alone."""
    from qa_bot.answer.cite import sentence_pin
    from qa_bot.answer.spans import page_pieces
    from qa_bot.types import CitedAuthority

    text = "Reasoning under Parratt v. Taylor, 451 U.S. 527 (1981), it held that the loss was not a deprivation."
    cite = CitedAuthority(16, 54, "Parratt v. Taylor, 451 U.S. 527 (1981)", "FullCaseCitation", "451 U.S. 527")
    op = Opinion(id="x", meta=PENA_META, text=text, pages=((0, 530), (35, 531)), cites=(cite,))
    assert page_pieces(op, 0, len(text)) == [(0, len(text))]
    assert sentence_pin(op, 0, len(text)) == "530-31"
    outside = Opinion(id="x", meta=PENA_META, text=text, pages=((0, 530), (35, 531)))  # no citation there
    assert len(page_pieces(outside, 0, len(text))) == 2


def test_pin_ignores_punctuation_past_the_page_break():
    op = Opinion(id="x", meta=PENA_META, text="The officers drank together.” Next sentence here.",
                 pages=((0, 108), (28, 109)))
    from qa_bot.answer.cite import sentence_pin

    assert sentence_pin(op, 0, 29) == "108"  # only the closing period and quote are past the break
    assert sentence_pin(op, 0, 49) == "108-09"


def test_dense_scores_from_retrieval_mean_no_embedding_at_answer_time(pena_lib):
    """Hits that carry the retriever's dense score are answered without embedding anything."""
    hits = pena_lib.search("qualified immunity clearly established", k=5)
    hits = [Hit(h.passage, h.score, h.rank, {"dense": 0.7 - 0.05 * h.rank}) for h in hits]

    def no_embed(texts):
        raise AssertionError(f"embedded {len(texts)} texts")

    from qa_bot.answer.abstain import library_idf
    from qa_bot.answer.extractive import extractive

    a = extractive("Were the officers entitled to qualified immunity?", hits, pena_lib.store.opinion, no_embed,
                   pena_lib.settings.answer, idf=library_idf(pena_lib))
    assert not a.abstained and a.citations


# --- a question that asks for a figure --------------------------------------------------------------
@pytest.mark.parametrize("question,kind", [
    ("How long had Grey been on his bender when he ran down the pedestrians?", "duration"),
    ("What is the statute of limitations for a § 1983 claim brought in New York?", "duration"),
    ("How much in punitive damages did the jury award the Herrera family?", "money"),
    ("What was Grey's blood alcohol concentration at the time of the crash?", "measure"),
    ("In what year did the crash happen?", "date"),
    ("How many people were killed?", "count"),
    ("How many years in prison did Dollree Mapp receive?", "duration"),
    ("How much were the hobby materials worth?", "money"),
    ("How old was Escobedo when the police interrogated him?", "measure"),
    ("What is the key question about the officers' conduct toward Grey?", None),
    ("What level of scrutiny applies?", None),
    ("What punishment did Grey receive from the state criminal court?", None),
    ("When can state officials be liable under section 1983?", None),
])
def test_questions_that_ask_for_a_figure_are_recognised(question, kind):
    from qa_bot.answer.abstain import figure_asked

    assert figure_asked(question) == kind


@pytest.mark.parametrize("text,kind,expected", [
    ("he had been drinking continuously for nearly twelve hours", "duration", True),
    ("a three-year limitations period", "duration", True),
    ("claims under 42 U.S.C. § 1983 in New York", "duration", False),
    ("claims under § 1983 and Rule 12(b)(6)", "count", False),
    ("See id. at 111 n.18", "count", False),
    ("in the 72nd Precinct parking lot", "count", False),
    ("the complaints assert four federal claims", "count", True),
    ("a blood alcohol content of 0.16 percent", "measure", True),
    ("The police delayed testing Grey's alcohol blood level for several hours", "measure", False),
    ("the jury awarded $250,000 in punitive damages", "money", True),
    ("On August 4, 2001, Grey ended his shift", "date", True),
    ("petitioner, a 22-year-old of Mexican extraction", "measure", True),
    ("Seventy-five years ago, in Boyd v. United States", "money", False),
])
def test_figures_of_each_kind_are_found_and_labels_are_not(text, kind, expected):
    from qa_bot.answer.abstain import states_figure

    assert states_figure(text, kind) is expected


def test_figure_question_needs_a_sentence_that_states_the_figure(pena_lib, real_embed):
    """Real pena_dev questions over the real Pena library: the bender's length is stated ("twelve
    hours"); no sentence states a limitations period or Grey's blood alcohol concentration, though
    Pena discusses § 1983 claims in New York and "Grey's alcohol blood level" - the closest words."""
    a = ask(pena_lib, "How long had Grey been on his bender, and without rest, when he ran down the pedestrians?",
            embed=real_embed)
    assert not a.abstained and any("twelve hour" in c.quote for c in a.citations)
    for q in ("What is the statute of limitations for a § 1983 claim brought in New York?",
              "What was Grey's blood alcohol concentration at the time of the crash?"):
        a = ask(pena_lib, q, embed=real_embed)
        assert a.abstained and not a.citations and a.hits, q
        assert a.note.startswith("The question asks for a figure"), a.note


def test_fake_embed_is_the_same_in_every_process():
    """The fake embedder's vectors must not depend on Python's per-process string hash salt."""
    import subprocess
    import sys
    from pathlib import Path

    import numpy as np

    code = ("import sys; sys.path.insert(0, sys.argv[1]); from conftest import fake_embed; "
            "print(fake_embed(['qualified immunity for the officers'])[0].round(6).tolist())")
    tests = str(Path(__file__).parent)
    runs = [subprocess.run([sys.executable, "-c", code, tests], capture_output=True, text=True, check=True,
                           env={**__import__("os").environ, "PYTHONHASHSEED": seed}).stdout for seed in ("1", "2")]
    assert runs[0] == runs[1]
    assert np.allclose(eval(runs[0]), fake_embed(["qualified immunity for the officers"])[0], atol=1e-5)


def test_a_hard_verification_problem_does_not_depend_on_its_wording(pena_lib, monkeypatch):
    """Before: a problem was a hard failure only if its message contained 'cited' and 'not in' or
    'which the'; a problem worded otherwise let an unsupported quotation through as supported."""
    from qa_bot.answer import verify as V
    from qa_bot.answer.llm import passage_citations
    from qa_bot.settings import AnswerSettings

    p = pena_lib.passages[3]
    (c,) = passage_citations([Hit(p, 1.0, 1)], pena_lib.store.opinion)
    draft = Answer(question="q", sentences=(AnswerSentence("The court said the officers were “utterly immune”.", (1,)),),
                   citations=(c,), hits=(Hit(p, 1.0, 1),), answerer="llm")
    settings = AnswerSettings(drop_unsupported=False)
    always = lambda sentence, evidence: 1.0  # noqa: E731  (a checker that supports everything)
    monkeypatch.setattr(V, "_problems", lambda sentence, evidence: ["the quoted words are absent from the passage"])
    out = V.verify(draft, pena_lib.store.opinion, settings, checker=always)
    (s,) = out.sentences
    assert not s.supported and not out.verified and "absent from the passage" in s.flag


def test_a_question_about_a_sentence_imposed_wants_a_term_a_fine_or_death():
    from qa_bot.answer.abstain import figure_asked, states_figure

    assert figure_asked("What sentence did Katz actually receive?") == "sentence"
    assert figure_asked("How was Gideon sentenced?") == "sentence"
    assert figure_asked("What did the Court hold in Mapp?") is None
    assert states_figure("petitioner was sentenced to serve five years in the state prison", "sentence")
    assert states_figure("he was fined $300", "sentence") and not states_figure("he was convicted", "sentence")
