"""The eval command: set validation, evidence matching, retrieval metrics (checked against pytrec_eval),
ALCE citation metrics, pin accuracy, abstention, the report and the CLI."""

from __future__ import annotations

import json
import math
import random

import numpy as np
import pytest
import pytrec_eval

from qa_bot.cli import main
from qa_bot.evaluation.evalset import (EvalSetError, Evidence, Question, has_run, load_set, longest_run, parse_set,
                                       supports)
from qa_bot.evaluation.evaluate import ANSWER_KEYS, evaluate, format_report, judge_answer, judge_hits, write_json
from qa_bot.evaluation.metrics import (QuoteJudge, abstention_metrics, alce_answer, items_found_at, ndcg_at, percentile,
                                       retrieval_metrics)
from qa_bot.text import normalize
from qa_bot.types import CANNOT_ANSWER, Answer, AnswerSentence, Citation, Hit, Passage

PENA = "Pena v. DePrisco"


@pytest.fixture(scope="module")
def paragraphs() -> list[str]:
    from pathlib import Path

    text = (Path(__file__).parent / "data" / "pena-v-deprisco.txt").read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if len(line.strip()) > 40]


def passage(pid: int, text: str, case: str = PENA, citation: str = "432 F.3d 98", oid: str = "pena") -> Passage:
    return Passage(opinion_id=oid, ordinal=pid, text=text, start=0, end=len(text), case_name=case,
                   citation=citation, id=pid)


def hits(passages: list[Passage]) -> list[Hit]:
    return [Hit(passage=p, score=100.0 - i, rank=i) for i, p in enumerate(passages, 1)]


def write_lines(path, rows) -> None:
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows) + "\n", encoding="utf-8")


# -- reading sets -----------------------------------------------------------------------------------
def test_valid_set_defaults(tmp_path):
    p = tmp_path / "dev.jsonl"
    write_lines(p, [{"id": "a", "question": "Q?", "evidence": [{"quote": "x y", "pin": "111 n.18"}], "tags": ["t"]},
                    "",
                    {"id": "b", "question": "Q2?", "answerable": False}])
    s = load_set(p)
    assert s.name == "dev" and len(s) == 2
    a, b = s.questions
    assert a.answerable and a.evidence[0].pin == "111 n.18" and a.tags == ("t",) and a.line == 1
    assert not b.answerable and b.evidence == () and b.line == 3


def test_bad_set_lists_every_problem_with_file_line_and_field(tmp_path):
    p = tmp_path / "bad.jsonl"
    write_lines(p, [
        {"id": "a", "question": "ok", "evidence": [{"quote": "fine", "pin": "111"}]},
        {"question": "no id", "evidence": [{"quote": "q"}]},                       # 2: id
        {"id": "c", "evidence": [{"quote": "q"}]},                                 # 3: question
        {"id": "d", "question": "q"},                                              # 4: evidence
        {"id": "e", "question": "q", "evidence": [{"case": PENA}]},                # 5: evidence[0].quote
        {"id": "f", "question": "q", "evidence": [{"quote": "q", "pin": "p. 111"}]},  # 6: pin
        {"id": "a", "question": "dup", "evidence": [{"quote": "q"}]},              # 7: id not unique
        "{not json",                                                               # 8
        {"id": "g", "question": "q", "answerable": "yes", "evidence": [{"quote": "q"}]},  # 9: answerable
    ])
    with pytest.raises(EvalSetError) as e:
        load_set(p)
    probs = e.value.problems
    assert len(probs) == 8
    msg = str(e.value)
    for line, word in [(2, "'id' is required"), (3, "'question' is required"), (4, "'evidence' is required"),
                       (5, "evidence[0]: field 'quote' is required"), (6, "'pin' 'p. 111'"),
                       (7, "'id' is not unique (first used on line 1)"), (8, "not valid JSON"),
                       (9, "'answerable' must be true or false")]:
        assert any(pr.startswith(f"{line}:") and word in pr for pr in probs), (line, word, probs)
        assert f"{p}:{line}:" in msg


def test_empty_set_and_unanswerable_with_evidence_are_errors(tmp_path):
    with pytest.raises(EvalSetError, match="holds no questions"):
        parse_set(["", "  "], "empty.jsonl")
    with pytest.raises(EvalSetError, match="'evidence' must be empty"):
        parse_set([json.dumps({"id": "x", "question": "q", "answerable": False, "evidence": [{"quote": "z"}]})])


def test_cli_refuses_a_bad_set_with_nonzero_exit(tmp_path, capsys, embeddings_root):
    p = tmp_path / "bad.jsonl"
    write_lines(p, [{"id": "a", "question": "q", "evidence": [{"quote": "q", "pin": "111n18"}]}])
    assert main(["eval", str(p), "--index", "nothere"]) != 0
    err = capsys.readouterr().err
    assert "bad.jsonl:1:" in err and "'pin'" in err and "Traceback" not in err


# -- matching ---------------------------------------------------------------------------------------
def test_normalize_quotes_dashes_whitespace():
    assert normalize("“Grey’s”\u00a0 state\u2014created \n\t danger – ﬁne") == "\"grey's\" state-created danger - fine"


def test_curly_quotes_and_dashes_match_ascii_quote(paragraphs):
    para = next(t for t in paragraphs if "Patrolmen’s Benevolent Association (“PBA”)" in t)
    item = Evidence(quote='the Patrolmen\'s   Benevolent Association ("PBA")', case="pena v deprisco")
    assert supports(item, para, PENA, ["432 F.3d 98"])


def test_sixty_percent_contiguous_run(paragraphs):
    a, b = paragraphs[5], paragraphs[6]
    # a quote split across two passages: 70% at the end of one, 30% at the start of the next
    quote = a[-70:] + " " + b[:30]
    item = Evidence(quote=quote)
    nq = normalize(quote)
    assert supports(item, a) and not supports(item, b)
    assert longest_run(nq, normalize(a)) >= 0.6 * len(nq)
    # exactly at the threshold and one character short of it
    q = "abcdefghij"
    assert has_run(q, "xxabcdefzz") is True  # 6 of 10 characters: exactly 60%
    assert has_run(q, "xxabcdezz") is False  # 5 < 6
    assert has_run(q, "..fghij..") is False and has_run(q, "..efghij..") is True


def test_case_and_citation_filter(paragraphs):
    text = paragraphs[10]
    quote = text[20:140]
    assert supports(Evidence(quote=quote, case="PENA v DePrisco"), text, PENA, ["432 F.3d 98"])
    assert not supports(Evidence(quote=quote, case="Dwares v. City of New York"), text, PENA, ["432 F.3d 98"])
    assert supports(Evidence(quote=quote, citation="432 F. 3d 98"), text, "Pena", ["432 F.3d 98"])
    assert not supports(Evidence(quote=quote, citation="985 F.2d 94"), text, PENA, ["432 F.3d 98"])
    # a later opinion quoting the same words does not count; one holding them under its parallel cite does
    q = Question(id="q", question="?", evidence=(Evidence(quote=quote, case=PENA),))
    other = passage(2, "As the Second Circuit said, " + text, case="Okin v. Village of Cornwall", oid="okin")
    assert judge_hits(q, hits([other, passage(1, text)])) == [frozenset(), frozenset({0})]


def test_matching_is_fast_enough_shape(paragraphs):
    # 1000 questions x 10 passages: has_run does one C-level substring test per window (no timing asserted)
    q = normalize(paragraphs[3][:300])
    assert has_run(q, normalize(paragraphs[3])) and not has_run(q, normalize(paragraphs[4]))


# -- retrieval metrics vs pytrec_eval ---------------------------------------------------------------
def _synthetic_run(paragraphs, n_questions=40, seed=7):
    rng = random.Random(seed)
    corpus = [passage(i, t) for i, t in enumerate(paragraphs, 1) if len(t) > 250]
    norm = {p.id: normalize(p.text) for p in corpus}
    questions, runs = [], []
    for qi in range(n_questions):
        gold = rng.sample(corpus, rng.randint(1, 3))
        items = []
        for p in gold:
            while True:  # a quote that only this passage holds (the opinion repeats some sentences)
                a = rng.randrange(0, len(p.text) - 150)
                it = Evidence(quote=p.text[a:a + 120], case=PENA)
                if sum(has_run(it.norm_quote, norm[c.id]) for c in corpus) == 1:
                    break
            items.append(it)
        q = Question(id=f"q{qi}", question="?", evidence=tuple(items))
        pool = [p for p in corpus if p not in gold]
        ranked = rng.sample(pool, rng.randint(8, 14))
        for p in gold:
            if rng.random() < 0.7:
                ranked.insert(rng.randrange(0, len(ranked) + 1), p)
        # every item is supported by exactly one passage of the collection (so ideal DCG = min(#items, 10))
        for it in items:
            assert sum(has_run(it.norm_quote, norm[p.id]) for p in corpus) == 1
        questions.append(q)
        runs.append(hits(ranked))
    return corpus, questions, runs


def test_retrieval_metrics_equal_pytrec_eval(paragraphs):
    corpus, questions, runs = _synthetic_run(paragraphs)
    judged = [(judge_hits(q, h), len(q.evidence)) for q, h in zip(questions, runs)]
    assert any(r[0] for r, _ in judged) and any(not any(r) for r, _ in judged)  # both hits and misses
    qrels = {q.id: {str(h.passage.id): 1 for h, s in zip(run, r) if s} | {
        str(p.id): 1 for p in corpus for it in q.evidence if has_run(it.norm_quote, normalize(p.text))}
        for q, run, (r, _) in zip(questions, runs, judged)}
    run_full = {q.id: {str(h.passage.id): h.score for h in run} for q, run in zip(questions, runs)}
    run_10 = {q.id: {str(h.passage.id): h.score for h in run if h.rank <= 10} for q, run in zip(questions, runs)}
    full = pytrec_eval.RelevanceEvaluator(qrels, {"success.1,3,5,10", "recall.10"}).evaluate(run_full)
    cut = pytrec_eval.RelevanceEvaluator(qrels, {"recip_rank", "ndcg_cut.10"}).evaluate(run_10)
    mine = retrieval_metrics(judged)
    mean = lambda res, key: sum(v[key] for v in res.values()) / len(res)  # noqa: E731
    for k in (1, 3, 5, 10):
        assert mine[f"hit@{k}"] == pytest.approx(mean(full, f"success_{k}"), abs=1e-9)
    assert mine["mrr@10"] == pytest.approx(mean(cut, "recip_rank"), abs=1e-9)
    assert mine["ndcg@10"] == pytest.approx(mean(cut, "ndcg_cut_10"), abs=1e-9)
    for q, (r, n) in zip(questions, judged):  # evidence recall per question = trec recall@10 here
        assert items_found_at(r, 10) / n == pytest.approx(full[q.id]["recall_10"], abs=1e-9)
    total = sum(n for _, n in judged)
    assert mine["evidence_recall@10"] == pytest.approx(sum(items_found_at(r, 10) for r, _ in judged) / total)


def test_ndcg_by_hand_and_capped():
    # relevant at ranks 2 and 4, two items: (1/log2 3 + 1/log2 5) / (1 + 1/log2 3)
    r = [set(), {0}, set(), {1}]
    assert ndcg_at(r, 2) == pytest.approx((1 / math.log2(3) + 1 / math.log2(5)) / (1 + 1 / math.log2(3)))
    assert ndcg_at([{0}, {0}, {0}], 1) == 1.0  # three passages holding one item's quote: capped
    assert retrieval_metrics([]) ["hit@1"] is None


# -- answers ----------------------------------------------------------------------------------------
def test_alce_redundant_citation_is_imprecise(paragraphs):
    s1 = paragraphs[8][:160]
    other = paragraphs[30]
    judge = QuoteJudge()
    # [1] alone supports s1, [2] is redundant; sentence 2 cites only the irrelevant [2]
    rec, prec = alce_answer([(s1, [s1 + " More.", other]), ("Grey drove home safely.", [other])], judge)
    assert rec == pytest.approx(1 / 2) and prec == pytest.approx(1 / 3)
    # a sentence that needs both spans (each half below 60%): both citations precise
    a, b = paragraphs[12][:100], paragraphs[13][:100]
    assert alce_answer([(a + " " + b, [a, b])], judge) == (1.0, 1.0)
    # no citation, and a marker pointing nowhere: unsupported, citations imprecise
    assert alce_answer([(s1, []), (s1, [None])], judge) == (0.0, 0.0)


def test_quote_judge_lexical_fallback(paragraphs):
    text = "Grey's supervisor, Sergeant Dennis Healy, drove with him to the bar and watched him drink."
    judge = QuoteJudge(lexical=0.75)
    assert judge("Sergeant Healy watched Grey drink at the bar.", [text])
    assert not judge("The court granted summary judgment for the union.", [text])


def test_pin_accuracy_with_footnote_pin_and_answer_metrics(paragraphs):
    fn = "Officer Gallo's actual first name is presently unknown."
    body = paragraphs[9]
    q = Question(id="q", question="?", evidence=(Evidence(quote=fn, case=PENA, pin="103 n.3"),
                                                  Evidence(quote=body[:150], pin="104")))
    pfn, pbody = passage(11, "3. " + fn), passage(12, body)
    cits = (
        Citation(1, 11, "pena", 0, 0, fn, "103 n.3", "", ""),           # footnote pin right
        Citation(2, 11, "pena", 0, 0, fn, "103", "", ""),               # footnote missing: wrong
        Citation(3, 12, "pena", 0, 0, body[:150], "104", "", ""),       # page right
        Citation(4, 12, "pena", 0, 0, body[200:260], "105", "", ""),    # cites nothing of the evidence
    )
    ans = Answer(question="?", citations=cits, hits=tuple(hits([pfn, pbody])), sentences=(
        AnswerSentence(fn, (1,)), AnswerSentence(fn, (2,)), AnswerSentence(body[:150], (3, 4))))
    alce, pins, rows = judge_answer(q, ans, QuoteJudge())
    assert pins == (2, 3)
    assert [r["pin_correct"] for r in rows] == [True, False, True, None]
    assert [r["supports_evidence"] for r in rows] == [True, True, True, False]
    assert alce == (1.0, pytest.approx(3 / 4))  # [4] redundant in sentence 3


def test_correctness_evidence_lead_and_wrong_opinion(paragraphs):
    """answer_evidence / lead_evidence / wrong_opinion: whether the answer cites the gold passage, whether
    its first cited sentence does, and whether the first citation is in another opinion."""
    from qa_bot.evaluation.evaluate import correctness

    gold, other = paragraphs[9][:150], paragraphs[20][:150]
    q = Question(id="q", question="?", evidence=(Evidence(quote=gold, case=PENA),))
    p_gold, p_other = passage(1, gold), passage(2, other, case="Monroe v. Pape", citation="365 U.S. 167", oid="m")

    def judged(*cited):  # citations in sentence order: (passage, quote)
        cits = tuple(Citation(i, p.id, p.opinion_id, 0, 0, quote, "", "", "") for i, (p, quote) in enumerate(cited, 1))
        ans = Answer("?", tuple(AnswerSentence(quote, (i,)) for i, (_, quote) in enumerate(cited, 1)), cits,
                     hits=tuple(hits([p_gold, p_other])))
        return correctness(q, ans, judge_answer(q, ans, QuoteJudge())[2])

    assert judged((p_gold, gold), (p_other, other)) == (True, True, False)
    assert judged((p_other, other), (p_gold, gold)) == (True, False, True)  # right passage, but not first
    assert judged((p_other, other)) == (False, False, True)
    assert judged((p_other, gold)) == (False, False, True)  # the words, but quoted from another opinion
    abstain = Answer("?", (AnswerSentence(CANNOT_ANSWER),), (), abstained=True)
    assert correctness(q, abstain, []) == (False, False, None)


def test_abstention_metrics():
    # (answerable, abstained): 2 abstentions, one right; 2 unanswerable, one abstained; 3 answerable, 2 answered
    out = abstention_metrics([(True, False), (True, False), (True, True), (False, True), (False, False)])
    assert out == {"abstain_precision": 0.5, "abstain_recall": 0.5, "answered_rate": pytest.approx(2 / 3)}
    assert abstention_metrics([(True, False)])["abstain_recall"] is None
    from qa_bot.evaluation.evaluate import abstained
    from qa_bot.types import CANNOT_ANSWER

    assert abstained(Answer("?", (AnswerSentence(CANNOT_ANSWER + " Closest: ..."),), ()))
    assert not abstained(Answer("?", (AnswerSentence("Yes."),), ()))


def test_percentile_matches_numpy():
    xs = [12.0, 3.5, 7.0, 100.0, 41.0, 8.0]
    for q in (50, 95):
        assert percentile(xs, q) == pytest.approx(float(np.percentile(xs, q)))


# -- report and command line ------------------------------------------------------------------------
class FakeLibrary:
    """search/ask over a fixed list of passages: the passage that contains a question's key words first."""

    def __init__(self, passages):
        self.passages = passages
        self.closed = False

    def search(self, question, k=10, mode="hybrid"):
        words = set(normalize(question).split())
        order = sorted(self.passages, key=lambda p: -len(words & set(normalize(p.text).split())))
        if mode == "bm25":
            order = order[::-1]
        return hits(order[:k])

    def ask(self, question, answerer=None, k=10, mode="hybrid"):
        top = self.search(question, k, mode)[0].passage
        if "martian" in question.lower():
            return Answer(question=question, sentences=(), citations=(), abstained=True)
        cit = Citation(1, top.id, top.opinion_id, top.start, top.end, top.text, "104", "", "")
        return Answer(question=question, sentences=(AnswerSentence(top.text, (1,)),), citations=(cit,),
                      hits=tuple(self.search(question, k, mode)))

    def close(self):
        self.closed = True


def _small_set(tmp_path, paragraphs):
    rows = [
        {"id": "healy", "question": "What did Sergeant Healy ask Grey to do at the bar?",
         "evidence": [{"quote": paragraphs[9][:100], "case": PENA, "pin": "104"}], "tags": ["facts"]},
        {"id": "pba", "question": "Who hindered the investigation after the crash?",
         "evidence": [{"quote": paragraphs[10][:100]}], "tags": ["facts", "x"]},
        {"id": "mars", "question": "What did the martian court hold?", "answerable": False},
    ]
    p = tmp_path / "small.jsonl"
    write_lines(p, rows)
    return p


def test_report_has_the_format_keys(tmp_path, paragraphs):
    lib = FakeLibrary([passage(i, t) for i, t in enumerate(paragraphs[5:20], 1)])
    report = evaluate(lib, load_set(_small_set(tmp_path, paragraphs)), mode="hybrid", k=10,
                      answerer="extractive", index="fake")
    for key in ("set", "questions", "index", "mode", "retrieval", "answers", "latency_ms_p50", "latency_ms_p95",
                "per_question"):
        assert key in report
    assert set(report["retrieval"]) >= {"hit@1", "hit@3", "hit@5", "hit@10", "evidence_recall@10", "mrr@10", "ndcg@10"}
    assert tuple(report["answers"]) == ANSWER_KEYS
    assert report["set"] == "small" and report["questions"] == 3 and report["mode"] == "hybrid"
    pq = {r["id"]: r for r in report["per_question"]}
    assert set(pq["healy"]) >= {"id", "first_hit_rank", "abstained", "citations"}
    assert report["answers"]["abstain_precision"] == 1.0 and report["answers"]["abstain_recall"] == 1.0
    assert report["answers"]["answered_rate"] == 1.0
    assert report["per_tag"]["facts"]["questions"] == 2 and report["per_tag"]["x"]["questions"] == 1
    text = format_report(report)
    assert "hit@10" in text and "per tag:" in text and "facts" in text
    out = tmp_path / "r" / "report.json"
    write_json(report, out)
    assert json.loads(out.read_text())["per_question"][2]["abstained"] is True
    assert [p.name for p in out.parent.iterdir()] == ["report.json"]  # no temp file left behind


def test_cli_mode_all_writes_one_report_per_mode(tmp_path, paragraphs, monkeypatch, capsys):
    from qa_bot.library import Library

    lib = FakeLibrary([passage(i, t) for i, t in enumerate(paragraphs[5:20], 1)])
    monkeypatch.setattr(Library, "open", classmethod(lambda cls, *a, **k: lib))
    out = tmp_path / "all.json"
    rc = main(["eval", str(_small_set(tmp_path, paragraphs)), "--index", "fake", "--mode", "all",
               "--answerer", "none", "--json", str(out), "--quiet"])
    assert rc == 0 and lib.closed
    report = json.loads(out.read_text())
    assert report["mode"] == "all" and set(report["modes"]) == {"bm25", "dense", "hybrid"}
    assert all(r["answers"]["citation_recall"] is None for r in report["modes"].values())
    # the fake ranks bm25 in reverse: worse there than in hybrid
    assert report["modes"]["hybrid"]["retrieval"]["mrr@10"] > report["modes"]["bm25"]["retrieval"]["mrr@10"]
    printed = capsys.readouterr().out
    assert "bm25" in printed.splitlines()[2] and "hybrid" in printed.splitlines()[2]


# -- end to end over a tiny real library ------------------------------------------------------------
def test_eval_end_to_end_on_pena(tmp_path, data_dir, embeddings_root, capsys):
    from qa_bot.library import Library

    folder = tmp_path / "pena-index"
    with Library.open(folder, create=True) as lib:
        lib.ingest([data_dir / "pena-v-deprisco.txt"])
    pena = {"case": PENA, "citation": "432 F.3d 98"}
    set_path = tmp_path / "pena3.jsonl"
    write_lines(set_path, [
        {"id": "two-step", "question": "What two-step inquiry does a qualified immunity claim involve?",
         "evidence": [{"quote": "A claim of qualified immunity ordinarily involves a two-step inquiry.", "pin": "107",
                       **pena}], "tags": ["standard"]},
        {"id": "deshaney", "question": "Does a State's failure to protect an individual against private violence "
                                       "violate the Due Process Clause?",
         "evidence": [{"quote": "a State’s failure to protect an individual against private violence simply does "
                                "not constitute a violation of the Due Process Clause", "pin": "108", **pena}],
         "tags": ["authority"]},
        {"id": "miranda", "question": "Were Grey's Miranda rights violated when he was questioned after the crash?",
         "answerable": False, "tags": ["unanswerable"]},
    ])
    out = tmp_path / "report.json"
    rc = main(["eval", str(set_path), "--index", str(folder), "--mode", "hybrid", "--answerer", "extractive",
               "--json", str(out), "--quiet"])
    assert rc == 0, capsys.readouterr().err
    report = json.loads(out.read_text())
    assert report["questions"] == 3 and report["mode"] == "hybrid" and report["errors"] == 0
    assert report["retrieval"]["hit@10"] == 1.0  # verbatim-worded questions over a 1-opinion library
    ranks = {q["id"]: q["first_hit_rank"] for q in report["per_question"]}
    assert ranks["two-step"] is not None and ranks["deshaney"] is not None and ranks["miranda"] is None
    for key in ANSWER_KEYS:
        v = report["answers"][key]
        assert v is None or 0.0 <= v <= 1.0
    assert report["latency_ms_p50"] > 0 and report["latency_ms_p95"] >= report["latency_ms_p50"]
    assert report["searched"] == {"hybrid": 3} and report["note"] == ""
    out_text = capsys.readouterr().out
    assert "hit@10" in out_text and "note" not in out_text


def test_eval_says_when_hybrid_ran_as_bm25(tmp_path, data_dir, embeddings_root, capsys):
    """A library whose vectors are not computed yet answers "hybrid" from BM25 alone: the report must say
    so, or its figures read as hybrid's (it happened: a held-out run on a library fresh from the demo
    build, before its vectors were in)."""
    from qa_bot.library import Library

    folder = tmp_path / "no-vectors"
    with Library.open(folder, create=True) as lib:
        lib.ingest([data_dir / "pena-v-deprisco.txt"], embed=False)
    set_path = tmp_path / "one.jsonl"
    write_lines(set_path, [{"id": "two-step", "question": "What two-step inquiry does a qualified immunity claim involve?",
                            "evidence": [{"quote": "A claim of qualified immunity ordinarily involves a two-step inquiry."}]}])
    out = tmp_path / "report.json"
    rc = main(["eval", str(set_path), "--index", str(folder), "--mode", "hybrid", "--answerer", "none",
               "--json", str(out), "--quiet"])
    assert rc == 0, capsys.readouterr().err
    report = json.loads(out.read_text())
    assert report["searched"] == {"BM25 (hybrid asked; vectors 0% built)": 1}
    assert "1 of 1 questions were not searched as asked" in report["note"] and "qa-bot sync" in report["note"]
    assert "note (hybrid): 1 of 1 questions were not searched as asked" in capsys.readouterr().out
