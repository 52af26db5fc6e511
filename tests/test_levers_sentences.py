"""eval/levers_sentences.py pools what it says it pools: a sentence's late-chunked vector is the mean of
the passage's token embeddings over exactly that sentence's tokens (so its negative result in
eval/reports/levers_sentences.md is the lever's, not a bug of the offsets)."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import eval_script


def test_token_spans_keep_the_overlapping_tokens_and_never_special_ones():
    ls = eval_script("levers_sentences")
    offsets = [(0, 0), (0, 2), (3, 8), (8, 9), (10, 13), (13, 14), (0, 0)]  # [CLS] It began . The end . [SEP]
    assert ls.token_spans(offsets, 0, 9) == [1, 2, 3]
    assert ls.token_spans(offsets, 10, 14) == [4, 5]
    assert ls.token_spans(offsets, 5, 11) == [2, 3, 4]  # a token cut by the span is in it
    assert ls.token_spans(offsets, 20, 30) == []  # past what the model read (truncated): nothing
    assert ls.combine("late", 0.4, 0.7) == 0.7 and ls.combine("late max", 0.4, 0.7) == 0.7
    assert ls.combine("late mean", 0.4, 0.6) == pytest.approx(0.5) and ls.combine("late", 0.4, None) == 0.4


def test_late_chunked_sentence_is_the_mean_of_its_own_tokens():
    """With the real model: the tokens pooled for a sentence are the tokens of that sentence, and pooling
    every token of the passage gives (up to [CLS]/[SEP]) the passage's own vector."""
    ls = eval_script("levers_sentences")
    from qa_bot.index.embed import Embedder

    emb = Embedder()
    sv = ls.SentenceVectors(emb)
    first = "When Grey ended his shift at 8:00 a.m. on Saturday August 4, 2001, he embarked on a binge."
    second = "It began in the company of fellow police officers in the parking lot of the 72nd Precinct."
    passage = f"{first} {second}"
    a = len(first) + 1
    tokens, offsets = sv._passage(passage)
    enc = emb.model.tokenizer(passage)
    idx = ls.token_spans(offsets, a, len(passage))
    assert emb.model.tokenizer.convert_ids_to_tokens([enc["input_ids"][i] for i in idx]) == \
        emb.model.tokenizer.tokenize(second)
    v = sv.late(passage, a, len(passage))
    expected = tokens[idx].mean(axis=0)
    np.testing.assert_allclose(v, expected / np.linalg.norm(expected), atol=1e-6)
    whole = tokens.mean(axis=0)
    np.testing.assert_allclose(whole / np.linalg.norm(whole), emb.encode_documents([passage])[0], atol=1e-5)
    assert float(sv.late(passage, 0, len(passage)) @ emb.encode_documents([passage])[0]) > 0.99
