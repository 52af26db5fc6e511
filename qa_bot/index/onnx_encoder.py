"""The embedding model run by ONNX Runtime, in fp32 or dynamically quantised to int8.

sentence-transformers' own ONNX backend needs ``optimum-onnx``, whose releases pin transformers < 4.58
(this project runs transformers 5), and its OpenVINO backend pulls another torch; so the export is done
here with the libraries already installed, offline, from the model's local folder:

1. ``torch.onnx.export`` of the transformer with mean pooling inside the graph (the model's own
   ``1_Pooling`` must be mean pooling; anything else is refused with a message), dynamic batch and
   sequence axes;
2. for ``int8``: ``onnxruntime.quantization.quantize_dynamic``, int8 weights per output channel for the
   MatMuls of every layer except the feed-forward output projection (its input, after GELU, has the
   outliers that cost accuracy: on 256 demo passages the minimum cosine to fp32 is 0.99 this way and
   0.973 when it is quantised too).

The files are cached under ``$QA_BOT_CACHE`` (default ``~/.cache/qa-bot``) in ``encoders/``, named by a
hash of the model's weights and this recipe, written atomically; a later process loads them directly.
Texts are tokenised with the model's own fast tokenizer (truncated at its ``max_seq_length``), vectors
are L2-normalised in numpy when asked. Measured against the torch path: ``eval/bench_all.py``.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from pathlib import Path

import numpy as np

from ..errors import QaBotError

RECIPE = "qa-bot-onnx-1"  # bump when the export or the quantisation changes: vectors would differ
PRECISIONS = ("fp32", "int8")
_lock = threading.Lock()


def cache_root() -> Path:
    base = os.environ.get("QA_BOT_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "qa-bot")
    return Path(base) / "encoders"


def _fingerprint(folder: Path, precision: str) -> str:
    h = hashlib.sha256(f"{RECIPE}:{precision}".encode())
    for name in ("config.json", "model.safetensors", "pytorch_model.bin", "1_Pooling/config.json"):
        p = folder / name
        if p.is_file():
            h.update(name.encode())
            h.update(str(p.stat().st_size).encode())
            with open(p, "rb") as f:  # the first and last MiB identify the weights well enough
                h.update(f.read(1 << 20))
                f.seek(max(0, p.stat().st_size - (1 << 20)))
                h.update(f.read(1 << 20))
    return h.hexdigest()[:16]


def _check_pooling(folder: Path) -> None:
    pooling = folder / "1_Pooling" / "config.json"
    try:
        cfg = json.loads(pooling.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise QaBotError(f"{folder}: the onnx encoder needs a sentence-transformers model folder with "
                         "1_Pooling/config.json; use --encoder torch for this model") from None
    modes = [k for k, v in cfg.items() if k.startswith("pooling_mode_") and v]
    if modes != ["pooling_mode_mean_tokens"]:
        raise QaBotError(f"{folder}: the onnx encoder supports mean pooling only, this model uses "
                         f"{', '.join(modes) or 'none'}; use --encoder torch for this model")


def _export_fp32(folder: Path, out: Path) -> None:
    import torch
    from transformers import AutoModel

    model = AutoModel.from_pretrained(str(folder), attn_implementation="eager").eval()

    class MeanPooled(torch.nn.Module):
        def __init__(self, m):
            super().__init__()
            self.m = m

        def forward(self, input_ids, attention_mask, token_type_ids):
            h = self.m(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids)[0]
            mask = attention_mask.unsqueeze(-1).to(h.dtype)
            return (h * mask).sum(1) / mask.sum(1).clamp(min=1e-9)

    ids = torch.tensor([[101, 7592, 2088, 102], [101, 7592, 102, 0]])
    axes = {"batch": 0, "seq": 1}
    dyn = {n: {v: k for k, v in axes.items()} for n in ("input_ids", "attention_mask", "token_type_ids")}
    dyn["embedding"] = {0: "batch"}
    import warnings

    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(MeanPooled(model), (ids, (ids > 0).long(), torch.zeros_like(ids)), str(out),
                          input_names=["input_ids", "attention_mask", "token_type_ids"],
                          output_names=["embedding"], dynamic_axes=dyn, opset_version=17, dynamo=False)


def _quantise(src: Path, out: Path) -> None:
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    graph = onnx.load(str(src), load_external_data=False).graph
    weights = {i.name for i in graph.initializer}
    keep_fp32 = [n.name for n in graph.node if n.op_type == "MatMul" and n.input[1] in weights
                 and "/output/dense/" in n.name and "/attention/" not in n.name]
    quantize_dynamic(str(src), str(out), weight_type=QuantType.QInt8, per_channel=True,
                     op_types_to_quantize=["MatMul"], nodes_to_exclude=keep_fp32,
                     extra_options={"MatMulConstBOnly": True})


def exported(folder: str | Path, precision: str) -> Path:
    """The cached ONNX file of the model in ``folder`` at ``precision``, exporting it on first use."""
    if precision not in PRECISIONS:
        from ..errors import choices

        raise choices("encoder precision", precision, PRECISIONS)
    folder = Path(folder)
    if not folder.is_dir():
        raise QaBotError(f"{folder}: the onnx encoder needs the model's local folder")
    _check_pooling(folder)
    root = cache_root()
    out = root / f"{folder.name}-{_fingerprint(folder, precision)}-{precision}.onnx"
    if out.is_file():
        return out
    src = exported(folder, "fp32") if precision == "int8" else None  # int8 is quantised from the fp32 file
    with _lock:
        if out.is_file():
            return out
        root.mkdir(parents=True, exist_ok=True)
        tmp = root / f".{out.stem}.{os.getpid()}.tmp"
        try:
            if src is None:
                _export_fp32(folder, tmp)
            else:
                _quantise(src, tmp)
            os.replace(tmp, out)
        except QaBotError:
            raise
        except Exception as e:
            raise QaBotError(f"could not export {folder} to ONNX ({type(e).__name__}: {e}); "
                             "use --encoder torch") from None
        finally:
            tmp.unlink(missing_ok=True)
    return out


class OnnxEncoder:
    """``encode(texts)`` like ``SentenceTransformer.encode`` for a mean-pooled model, on ONNX Runtime."""

    def __init__(self, folder: str | Path, precision: str = "int8", threads: int | None = None):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        folder = Path(folder)
        self.path = exported(folder, precision)
        self.precision = precision
        try:
            cfg = json.loads((folder / "sentence_bert_config.json").read_text(encoding="utf-8"))
            self.max_seq_length = int(cfg.get("max_seq_length") or 512)
        except (OSError, ValueError):
            self.max_seq_length = 512
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.enable_truncation(self.max_seq_length)
        self.tokenizer.no_padding()
        self._dim = int(json.loads((folder / "config.json").read_text(encoding="utf-8"))["hidden_size"])
        self._sessions: dict[int, object] = {}
        self._ort = ort
        self.threads = threads or (os.cpu_count() or 1)

    def session(self, threads: int):
        s = self._sessions.get(threads)
        if s is None:
            opts = self._ort.SessionOptions()
            opts.intra_op_num_threads = threads
            opts.inter_op_num_threads = 1
            # idle threads sleep instead of spinning: on a busy 2-core machine spinning cost ~12% more CPU
            # and ~10% more wall time (int8, 192 demo passages, 3 alternating rounds at load 13)
            opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
            s = self._ort.InferenceSession(str(self.path), opts, providers=["CPUExecutionProvider"])
            self._sessions[threads] = s
        return s

    def get_embedding_dimension(self) -> int:
        return self._dim

    def encode(self, texts: list[str], batch_size: int = 64, normalize_embeddings: bool = True,
               threads: int | None = None, **_ignored) -> np.ndarray:
        sess = self.session(threads or self.threads)
        out = np.zeros((len(texts), self._dim), dtype=np.float32)
        for lo in range(0, len(texts), max(1, batch_size)):
            enc = self.tokenizer.encode_batch(texts[lo : lo + batch_size])
            width = max(len(e.ids) for e in enc)
            ids = np.zeros((len(enc), width), dtype=np.int64)
            mask = np.zeros_like(ids)
            for i, e in enumerate(enc):
                ids[i, : len(e.ids)] = e.ids  # the rest stays the pad id 0 (masked out anyway)
                mask[i, : len(e.ids)] = 1
            out[lo : lo + len(enc)] = sess.run(None, {"input_ids": ids, "attention_mask": mask,
                                                      "token_type_ids": np.zeros_like(ids)})[0]
        if normalize_embeddings:
            norms = np.linalg.norm(out, axis=1, keepdims=True)
            out /= np.where(norms > 0, norms, 1.0)
        return out
