"""Retrieval levers' logic: pseudo-relevance feedback (BM25 RM3, dense Rocchio) and the neighbour /
opinion context of a passage's score, on small hand-made indexes and passages (a real search with each
lever: tests/test_retrieval.py)."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import eval_script

from qa_bot.errors import BadSetting
from qa_bot.index.lexical import Lexical, bm25_idf, tokenize
from qa_bot.retrieve import rank
from qa_bot.retrieve.feedback import rocchio, second_round
from qa_bot.settings import RetrieveSettings
from qa_bot.types import Passage

DOCS = {
    1: "The officers drove drunk and the lieutenant tolerated the drinking.",
    2: "The lieutenant tolerated drinking and drunk driving by officers on duty.",
    3: "Drunk driving by an off-duty officer killed three pedestrians.",
    4: "Summary judgment is reviewed de novo.",
    5: "The pedestrians were killed by an intoxicated driver.",  # no word of the question
    6: "The statute of limitations is three years.",
}


def index(docs=DOCS, headers=None) -> Lexical:
    lex = Lexical()
    lex.add(list(docs), list(docs.values()), headers=headers)
    lex.build()
    return lex


def test_feedback_model_weights_the_feedback_passages_terms_by_frequency_and_library_idf():
    lex = index(headers=["Pena v. DePrisco"] * len(DOCS))
    model = lex.feedback_model([1, 2], terms=50)
    words = {t: i for t, i in lex.vocab.items()}
    by_term = {t: model[i] for t, i in words.items() if i in model}
    assert sum(model.values()) == pytest.approx(1.0)
    assert not any(t.startswith("^") for t in by_term)  # header terms lift the same opinion only: left out
    assert set(by_term) == set(tokenize(DOCS[1])) | set(tokenize(DOCS[2]))
    # each term: its mean relative frequency in the two passages x its BM25 IDF over the library, normalised
    expected = {}
    for pid in (1, 2):
        toks = tokenize(DOCS[pid])
        for t in toks:  # once per occurrence: tf / |passage|, over the two passages
            expected[t] = expected.get(t, 0.0) + 1 / len(toks) / 2
    df = {t: sum(t in tokenize(d) for d in DOCS.values()) for t in expected}
    expected = {t: v * bm25_idf(len(DOCS), df[t]) for t, v in expected.items()}
    total = sum(expected.values())
    assert by_term == pytest.approx({t: v / total for t, v in expected.items()})
    # "lieuten" (in both feedback passages, nowhere else) outweighs "offic" (in both and in passage 3)
    assert by_term["lieuten"] > by_term["offic"]
    assert len(lex.feedback_model([1, 2], terms=3)) == 3
    assert lex.feedback_model([], terms=10) == {} and lex.feedback_model([99], terms=10) == {}


def test_weighted_query_scores_are_the_weighted_sum_of_bm25s_own_term_scores():
    lex = index()
    bm = lex._bm25
    ids = [lex.vocab["drunk"], lex.vocab["pedestrian"]]
    expected = 0.25 * bm.get_scores_from_ids([ids[0]]) + 0.75 * bm.get_scores_from_ids([ids[1]])
    got = lex._weighted_scores(bm, {ids[0]: 0.25, ids[1]: 0.75})
    assert np.allclose(got, expected)


def test_bm25_feedback_finds_a_passage_that_shares_no_word_with_the_question():
    lex = index()
    plain = lex.search("drunk driving officers", 10)
    assert 5 not in [pid for pid, _ in plain]
    expanded = lex.search("drunk driving officers", 10, feedback=[3], feedback_terms=10, feedback_weight=0.5)
    assert 5 in [pid for pid, _ in expanded]  # it shares "pedestrians" and "killed" with passage 3
    assert 4 not in [pid for pid, _ in expanded]  # nothing in common with the question or the feedback
    # weight 0, or no feedback, is the plain search
    assert lex.search("drunk driving officers", 10, feedback=[3], feedback_weight=0.0) == plain
    assert lex.search("drunk driving officers", 10, feedback=[]) == plain
    # a filter still holds
    mask = lex.mask([1, 5])
    assert {pid for pid, _ in lex.search("drunk driving officers", 10, mask, feedback=[3])} <= {1, 5}


def test_rocchio_moves_the_query_toward_the_feedback_at_unit_length():
    q = np.array([1.0, 0.0, 0.0], dtype=np.float32)
    fb = np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]], dtype=np.float32)
    moved = rocchio(q, fb, 1.0)
    assert np.linalg.norm(moved) == pytest.approx(1.0)
    assert moved @ fb[0] > q @ fb[0] and moved[0] > moved[1]
    assert rocchio(q, fb[:0], 1.0) is q and rocchio(q, fb, 0.0) is q


def test_second_round_searches_again_only_the_retrievers_asked():
    fused = [(1, 0.5, {}), (2, 0.4, {}), (3, 0.3, {})]
    ranked = {"bm25": [(1, 3.0), (2, 2.0), (3, 1.0)], "dense": [(2, 0.9), (1, 0.8)]}
    calls = {}

    def bm25(fb):
        calls["bm25"] = fb
        return [(3, 4.0), (1, 3.0)]

    def dense(qv):
        calls["dense"] = qv
        return [(2, 0.9)]

    rs = RetrieveSettings(bm25_prf_docs=2)
    out = second_round(fused, ranked, rs, bm25=bm25, dense=dense, vectors_of=lambda ids: np.eye(3)[ids],
                       query_vector=np.ones(3, dtype=np.float32), rrf_k=10, weights={}, mode="hybrid")
    assert calls == {"bm25": [1, 2]} and out[0][0] in (1, 3)
    assert out[0][2]["bm25_rank"] == (1.0 if out[0][0] == 3 else 2.0)
    calls.clear()
    rs = RetrieveSettings(dense_prf_docs=2)
    second_round(fused, ranked, rs, bm25=bm25, dense=dense, vectors_of=lambda ids: np.eye(3)[ids],
                 query_vector=np.ones(3, dtype=np.float32) / np.sqrt(3), rrf_k=10, weights={}, mode="hybrid",
                 unembedded=frozenset({1}))
    assert list(calls) == ["dense"]  # fed by passage 2 (1 has no vector yet)
    assert calls["dense"][2] > calls["dense"][0]
    assert second_round(fused, ranked, RetrieveSettings(), bm25=bm25, rrf_k=10, weights={}, mode="hybrid") is fused


def P(pid, ordinal, op="a", part="majority", footnote=None) -> Passage:
    return Passage(opinion_id=op, ordinal=ordinal, text="", start=0, end=0, part=part, footnote=footnote, id=pid)


def test_context_lifts_neighbours_in_the_same_part_and_the_best_opinions_passages():
    passages = {1: P(1, 0), 2: P(2, 1), 3: P(3, 2), 4: P(4, 3, part="dissent"), 5: P(5, 4, footnote="1"),
                10: P(10, 0, op="b"), 11: P(11, 1, op="b")}
    fused = [(2, 1.0, {}), (10, 0.6, {}), (4, 0.5, {}), (11, 0.1, {})]
    # neighbours: 1 and 3 (not candidates) join with half of 2's score; 4 (dissent) does not borrow 3's
    out = {pid: s for pid, s, _ in rank.context(fused, passages, 0.5, 0.0)}
    assert out[1] == pytest.approx(0.5) and out[3] == pytest.approx(0.5)
    assert out[4] == pytest.approx(0.5) and 5 not in out  # another part, a footnote: not neighbours
    assert out[10] == pytest.approx(0.6 + 0.05) and out[11] == pytest.approx(0.1 + 0.3)
    # opinion evidence: each passage gains a share of the mean of its opinion's best three other
    # candidates (a missing one counts 0): opinion a (2, 4) matches more broadly than b (10, 11)
    out = {pid: s for pid, s, _ in rank.context(fused, passages, 0.0, 0.6)}
    assert out == pytest.approx({2: 1.0 + 0.6 * 0.5 / 3, 10: 0.6 + 0.6 * 0.1 / 3, 4: 0.5 + 0.6 * 1.0 / 3,
                                 11: 0.1 + 0.6 * 0.6 / 3})
    many = [(i, 1.0 - i / 10, {}) for i in range(1, 6)] + [(10, 0.85, {})]
    lifted = rank.context(many, {**{i: P(i, 10 * i) for i in range(1, 6)}, 10: P(10, 0, op="b")}, 0.0, 0.6)
    assert [pid for pid, _, _ in lifted] == [1, 2, 3, 4, 5, 10]  # a one-passage match falls behind a broad one
    assert lifted[0][1] == pytest.approx(0.9 + 0.6 * (0.8 + 0.7 + 0.6) / 3)  # the best three others only
    assert [pid for pid, _, _ in rank.context(fused, passages, 0.0, 0.0)] == [2, 10, 4, 11]
    assert rank.neighbours(passages[2], passages[3]) and not rank.neighbours(passages[3], passages[4])


def test_levers_are_settings_validated_and_only_opinion_evidence_is_on_by_default():
    rs = RetrieveSettings()
    assert (rs.bm25_prf_docs, rs.dense_prf_docs, rs.neighbour_weight, rs.opinion_weight) == (0, 0, 0.0, 0.3)
    for bad, message in [({"bm25_prf_docs": -1}, "retrieve.bm25_prf_docs must be from 0 to 100, not -1"),
                         ({"bm25_prf_weight": 1.5}, "retrieve.bm25_prf_weight must be from 0 to 1, not 1.5"),
                         ({"dense_prf_docs": 2.5}, "retrieve.dense_prf_docs must be a whole number"),
                         ({"neighbour_weight": -0.1}, "retrieve.neighbour_weight must be from 0 to 1"),
                         ({"opinion_weight": "high"}, "retrieve.opinion_weight must be a number")]:
        with pytest.raises(BadSetting, match=message):
            RetrieveSettings(**bad)


def test_levers_script_rows_are_valid_settings_each_against_every_lever_off():
    lr = eval_script("levers_retrieval")
    assert set(lr.OFF) == {"bm25_prf_docs", "dense_prf_docs", "neighbour_weight", "opinion_weight"}
    for name, change in lr.LEVERS:
        RetrieveSettings(**{**lr.OFF, **change})  # every row is a valid setting
    assert lr.LEVERS[0][1] == {}
    row = {c: 0.5 for c in lr.COLUMNS}
    text = lr.table({"none": {"pena_dev": row, "scotus_dev": {**row, "answered_rate": None}}})
    lines = text.splitlines()
    assert lines[2].startswith("| none | pena_dev | 0.500") and lines[3].startswith("|  | scotus_dev")
    assert lines[3].endswith("| - |")
