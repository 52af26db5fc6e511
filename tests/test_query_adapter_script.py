"""eval/train_query_adapter.py and eval/adapter_levers.py measure what they say (so the adapter's negative
result in eval/reports/README.md is the lever's, not a bug): pin cites are read as eyecite gives them, the
citations leave the citing sentence, the trainer learns a linear distortion when there is one, and the
measured search embeds its questions through the adapter."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import eval_script


@pytest.mark.parametrize("pin, page, note", [(", 655", 655, None), (", at 361", 361, None), (", 18, n. 15", 18, "15"),
                                             (", 490-491", 490, None), (", at 18 n. 5", 18, "5")])
def test_pin_cites_give_the_page_and_footnote(pin, page, note):
    m = eval_script("train_query_adapter").PIN.match(pin)
    assert m and int(m.group(1)) == page and m.group(2) == note


def test_citations_leave_the_citing_sentence():
    from qa_bot.ingest.citations import find

    tqa = eval_script("train_query_adapter")
    s = ("As we held in Mapp v. Ohio, 367 U.S. 643, 655 (1961), all evidence obtained by searches and "
         "seizures in violation of the Constitution is inadmissible in a state court. See Weeks v. United "
         "States, 232 U.S. 383, 398 (1914) (internal quotation marks omitted).")
    cites = find(s)
    assert [c.metadata.pin_cite for c in cites] == ["655", "398"]
    q = tqa.strip_cites(s, [c.full_span() for c in cites])
    assert "367" not in q and "232" not in q and "omitted" not in q and "Weeks" not in q
    assert q.startswith("As we held in") and "all evidence obtained by searches and seizures" in q


def test_the_trainer_learns_a_distortion_and_keeps_the_best_epoch():
    """Queries are a fixed linear distortion of their passages plus noise: the adapter must undo part of
    it on held-out pairs, and with nothing to learn (W stays 0 at epoch 0) it returns the identity."""
    tqa = eval_script("train_query_adapter")
    rng = np.random.default_rng(0)
    d, n = 32, 600
    pool = rng.normal(size=(n, d)).astype(np.float32)
    pool /= np.linalg.norm(pool, axis=1, keepdims=True)
    M = (np.eye(d) + rng.normal(0, 0.6, (d, d))).astype(np.float32)
    qv = pool @ M + rng.normal(0, 0.05, (n, d)).astype(np.float32)
    qv /= np.linalg.norm(qv, axis=1, keepdims=True)
    pos = [[i] for i in range(n)]
    val, tr = list(range(500, n)), list(range(500))
    (best, epoch, W, b), history = tqa.train(qv, pos, [[] for _ in range(n)], pool, val, tr, seed=1, epochs=30,
                                             lr=3e-3)
    assert history[0]["val_recall@10"] < 0.9 and best > history[0]["val_recall@10"] + 0.05 and epoch > 0
    assert best == max(h["val_recall@10"] for h in history)
    assert tqa.recall_at(tqa.apply(qv[val], W, b), pool, [{i} for i in val]) == pytest.approx(best)
    assert np.allclose(tqa.apply(qv, np.zeros((d, d), np.float32), np.zeros(d, np.float32)), qv, atol=1e-6)


def test_the_measured_search_embeds_questions_through_the_adapter(tmp_path):
    from qa_bot.index.embed import Embedder

    al = eval_script("adapter_levers")
    d = 384
    path = tmp_path / "neg.npz"
    np.savez(path, W=-2 * np.eye(d, dtype=np.float32), b=np.zeros(d, np.float32), model=np.array("x"))
    emb = Embedder()
    plain = emb.encode_queries(["When may an officer frisk a suspect?"])
    try:
        al.install(al.load_adapter(str(path)))
        np.testing.assert_allclose(emb.encode_queries(["When may an officer frisk a suspect?"]), -plain, atol=1e-6)
    finally:
        al.install(None)
    np.testing.assert_array_equal(emb.encode_queries(["When may an officer frisk a suspect?"]), plain)
