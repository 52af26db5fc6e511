"""Settings validate themselves, and the options ``search`` and ``ask`` accept are the settings' fields."""

from __future__ import annotations

from dataclasses import fields

import pytest
from conftest import FakeLibrary, fake_embed

from qa_bot.answer.ask import ask
from qa_bot.errors import BadQuestion, BadSetting
from qa_bot.settings import (AnswerSettings, ChunkSettings, EmbedSettings, IndexSettings, RetrieveSettings, Settings,
                             stage_fields)

QUESTION = "Were the officers entitled to qualified immunity?"


@pytest.mark.parametrize("make, message", [
    (lambda: RetrieveSettings(k=0), "retrieve.k must be from 1 to 1000, not 0"),
    (lambda: RetrieveSettings(k=2.5), "retrieve.k must be a whole number, not 2.5"),
    (lambda: RetrieveSettings(k=True), "retrieve.k must be a whole number, not True"),
    (lambda: RetrieveSettings(mode="semantic"), "unknown retrieve.mode 'semantic'; valid choices: bm25, dense, hybrid"),
    (lambda: RetrieveSettings(bm25_weight=-1), "retrieve.bm25_weight must be at least 0"),
    (lambda: RetrieveSettings(dense_weight=float("nan")), "retrieve.dense_weight must be a number"),
    (lambda: AnswerSettings(answerer="gpt"), "unknown answer.answerer 'gpt'; valid choices: extractive, llm"),
    (lambda: AnswerSettings(support_threshold=1.5), "answer.support_threshold must be from 0 to 1, not 1.5"),
    (lambda: AnswerSettings(drop_unsupported="no"), "answer.drop_unsupported must be true or false, not 'no'"),
    (lambda: AnswerSettings(llm_timeout=0), "answer.llm_timeout must be at least"),
    (lambda: AnswerSettings(nli_model=3), "answer.nli_model must be text, not 3"),
    (lambda: ChunkSettings(min_tokens=200), "chunk.min_tokens (200) must not exceed chunk.max_tokens (180)"),
    (lambda: EmbedSettings(batch_size=0), "embed.batch_size must be at least 1, not 0"),
    (lambda: IndexSettings(hnsw_m=1), "index.hnsw_m must be at least 2, not 1"),
])
def test_each_stage_rejects_wrong_types_and_ranges_naming_the_field(make, message):
    with pytest.raises(BadSetting) as e:
        make()
    assert message in str(e.value)


def test_numbers_are_taken_in_the_type_the_field_names():
    s = AnswerSettings(llm_timeout=5, support_threshold=1)
    assert isinstance(s.llm_timeout, float) and s.support_threshold == 1.0
    import numpy as np

    assert RetrieveSettings(k=np.int64(7)).k == 7 and type(RetrieveSettings(k=np.int64(7)).k) is int


def test_with_rejects_unknown_stages_and_fields_listing_the_valid_names():
    s = Settings.preset()
    with pytest.raises(BadSetting, match="unknown settings stage 'retreive'; valid stages: chunk, embed, index, "
                                         "retrieve, answer"):
        s.with_(retreive={"k": 3})
    with pytest.raises(BadSetting) as e:
        s.with_(retrieve={"kk": 3})
    assert "unknown retrieve setting 'kk'" in str(e.value)
    assert all(name in str(e.value) for name in stage_fields("retrieve"))
    with pytest.raises(BadSetting, match="retrieve.k must be"):
        s.with_(retrieve={"k": -1})
    assert s.with_(retrieve={"k": 3}).retrieve.k == 3 and s.retrieve.k == 10
    assert all(Settings.preset(name) for name in ("default", "fast", "thorough"))


@pytest.fixture(scope="module")
def lib(tmp_path_factory):
    library = FakeLibrary(tmp_path_factory.mktemp("settings"))
    yield library
    library.store.close()


def test_ask_takes_every_answer_setting_that_verification_reads(lib):
    """Before: ask(support_threshold=...) and ask(nli_model=...) were refused as unknown options while
    verify.py reads them; the accepted options were a hand-kept list."""
    strict = ask(lib, QUESTION, embed=fake_embed, support_threshold=1.0, nli_model="", k=4)
    assert not strict.abstained
    # every field of AnswerSettings but the answerer (ask's own argument) is an ask option
    for f in fields(AnswerSettings):
        if f.name != "answerer":
            ask(lib, QUESTION, embed=fake_embed, k=2, **{f.name: getattr(lib.settings.answer, f.name)})


def test_ask_passes_every_retrieve_setting_to_the_search_and_validates_it(lib):
    for f in fields(RetrieveSettings):
        ask(lib, QUESTION, embed=fake_embed, **{f.name: getattr(lib.settings.retrieve, f.name)})
        assert f.name in lib.searches[-1][1]
    with pytest.raises(BadSetting, match="answer.support_threshold must be from 0 to 1"):
        ask(lib, QUESTION, embed=fake_embed, support_threshold=2)
    with pytest.raises(BadQuestion) as e:
        ask(lib, QUESTION, embed=fake_embed, colour="red")
    assert "unknown ask option 'colour'" in str(e.value)
    for name in ("courts", "years", "case", "k", "candidates", "rrf_k", "support_threshold", "nli_model", "embed"):
        assert name in str(e.value), name
