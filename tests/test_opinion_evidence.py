"""Opinion evidence, the retrieval lever kept on (``RetrieveSettings.opinion_weight``, ``rank.context``), on
small hand-made passages (a real search with it: tests/test_retrieval.py). The levers measured beside it
and not kept (pseudo-relevance feedback, neighbour smoothing) were removed; their code is at commit 9ab66fe."""

from __future__ import annotations

import pytest
from conftest import eval_script

from qa_bot.errors import BadSetting
from qa_bot.retrieve import rank
from qa_bot.settings import RetrieveSettings, Settings
from qa_bot.types import Passage


def P(pid, ordinal, op="a", part="majority", footnote=None) -> Passage:
    return Passage(opinion_id=op, ordinal=ordinal, text="", start=0, end=0, part=part, footnote=footnote, id=pid)


def test_context_lifts_the_passages_of_the_opinion_with_the_most_evidence():
    passages = {1: P(1, 0), 2: P(2, 1), 3: P(3, 2), 4: P(4, 3, part="dissent"), 5: P(5, 4, footnote="1"),
                10: P(10, 0, op="b"), 11: P(11, 1, op="b")}
    fused = [(2, 1.0, {}), (10, 0.6, {}), (4, 0.5, {}), (11, 0.1, {})]
    # opinion evidence: each passage gains a share of the mean of its opinion's best three other
    # candidates (a missing one counts 0): opinion a (2, 4) matches more broadly than b (10, 11);
    # passages that are not candidates (1, 3, 5) do not join the list
    out = {pid: s for pid, s, _ in rank.context(fused, passages, 0.6)}
    assert out == pytest.approx({2: 1.0 + 0.6 * 0.5 / 3, 10: 0.6 + 0.6 * 0.1 / 3, 4: 0.5 + 0.6 * 1.0 / 3,
                                 11: 0.1 + 0.6 * 0.6 / 3})
    many = [(i, 1.0 - i / 10, {}) for i in range(1, 6)] + [(10, 0.85, {})]
    lifted = rank.context(many, {**{i: P(i, 10 * i) for i in range(1, 6)}, 10: P(10, 0, op="b")}, 0.6)
    assert [pid for pid, _, _ in lifted] == [1, 2, 3, 4, 5, 10]  # a one-passage match falls behind a broad one
    assert lifted[0][1] == pytest.approx(0.9 + 0.6 * (0.8 + 0.7 + 0.6) / 3)  # the best three others only
    assert [pid for pid, _, _ in rank.context(fused, passages, 0.0)] == [2, 10, 4, 11]


def test_opinion_evidence_is_a_validated_setting_on_by_default():
    assert RetrieveSettings().opinion_weight == 0.3
    for bad, message in [({"opinion_weight": "high"}, "retrieve.opinion_weight must be a number"),
                         ({"opinion_weight": 1.5}, "retrieve.opinion_weight must be from 0 to 1, not 1.5")]:
        with pytest.raises(BadSetting, match=message):
            RetrieveSettings(**bad)
    for removed in ("bm25_prf_docs", "dense_prf_docs", "neighbour_weight"):  # measured, not kept, removed
        with pytest.raises(BadSetting, match=f"unknown retrieve setting '{removed}'; valid: .*opinion_weight"):
            Settings.preset().with_(retrieve={removed: 1})


def test_levers_script_rows_are_valid_settings_each_against_the_lever_off():
    lr = eval_script("levers_retrieval")
    assert set(lr.OFF) == {"opinion_weight"}
    for name, change in lr.LEVERS:
        RetrieveSettings(**{**lr.OFF, **change})  # every row is a valid setting
    assert lr.LEVERS[0][1] == {}
    row = {c: 0.5 for c in lr.COLUMNS}
    text = lr.table({"none": {"pena_dev": row, "scotus_dev": {**row, "answered_rate": None}}})
    lines = text.splitlines()
    assert lines[2].startswith("| none | pena_dev | 0.500") and lines[3].startswith("|  | scotus_dev")
    assert lines[3].endswith("| - |")
