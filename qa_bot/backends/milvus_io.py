"""Milvus plumbing for the Milvus backend: connecting (one clear message when Milvus cannot be reached),
BM25 term weights computed with qa-bot's own tokeniser, stable passage ids, and row <-> record conversion.
See ``backends.milvus`` for the design."""

from __future__ import annotations

import functools
import hashlib
import json
import math
from collections import Counter
from dataclasses import asdict, replace
from typing import Iterable

from ..errors import IndexMismatch, QaBotError
from ..index.lexical import B, HEADER, K1, tokenize
from ..types import Opinion, Passage
from .uri import BackendURI

MAX_TEXT = 65_535
BLOB_CHARS = 16_000  # <= 64 KB in UTF-8: under Milvus's VARCHAR limit of 65,535 bytes
DUMMY = [0.0, 0.0]  # every Milvus collection needs a vector field; NAME_docs and NAME_terms carry this
EMPTY_SPARSE = {2**32 - 2: 1e-9}  # a passage without terms: Milvus stores no empty sparse vector


class BackendUnavailable(QaBotError):
    """The Milvus named by ``--index`` cannot be reached or refused a request."""


# -- ids and weights ----------------------------------------------------------------------------------
def term_id(term: str) -> int:
    """The sparse dimension of a term: 32-bit hash (Milvus's own BM25 hashes terms too)."""
    return int.from_bytes(hashlib.blake2b(term.encode("utf-8"), digest_size=4).digest(), "big") % (2**32 - 1)


def passage_id(opinion_id: str, ordinal: int) -> int:
    """Stable 63-bit id from (opinion id, ordinal): a re-run of an interrupted ingest rewrites the same rows."""
    h = hashlib.blake2b(f"{opinion_id}\x00{ordinal}".encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(h, "big") & (2**63 - 1) or 1


def lexical_header(p: Passage) -> str:
    return " ".join(x for x in (p.case_name, p.court, p.section) if x)


def doc_terms(text: str, header: str) -> list[str]:
    """A passage's BM25 terms, exactly as ``Lexical.add`` indexes them (body, then unique header terms)."""
    terms = tokenize(text)
    if header:
        terms += [HEADER + t for t in dict.fromkeys(tokenize(header))]
    return terms


def query_terms(question: str) -> list[str]:
    terms = tokenize(question)
    return terms + [HEADER + t for t in terms]  # as Lexical.search: every query term also hits the header


def doc_weights(tf: Counter, dl: int, avgdl: float) -> dict[int, float]:
    norm = K1 * ((1 - B) + B * dl / max(avgdl, 1e-9))
    out: dict[int, float] = {}
    for t, c in tf.items():
        d = term_id(t)
        out[d] = out.get(d, 0.0) + c / (c + norm)
    return out


def idf(n: int, df: int) -> float:
    return math.log(1 + (n - df + 0.5) / (df + 0.5))


# -- connection ---------------------------------------------------------------------------------------
def _hint(uri: BackendURI) -> str:
    if uri.lite:
        return (f"check that {uri.path} is a Milvus Lite file this user can write and that no other process has "
                "it open (Milvus Lite allows one process per file; for several, run a Milvus server)")
    return (f"check that Milvus is running and reachable at {uri.address} (docker/helm status, firewall, "
            "port 19530), or use milvus-lite:///path/to/library.db for an embedded library")


def _guard(fn):
    """Turn pymilvus / gRPC failures into one ``BackendUnavailable`` naming the URI (never a traceback)."""

    @functools.wraps(fn)
    def wrapper(self, *a, **kw):
        try:
            return fn(self, *a, **kw)
        except QaBotError:
            raise
        except Exception as e:  # noqa: BLE001 - pymilvus raises many kinds; all mean "Milvus said no"
            if not _is_milvus_error(e):
                raise
            raise BackendUnavailable(f"{self.uri.text}: Milvus request failed ({_short(e)}); {_hint(self.uri)}") from None

    return wrapper


def _is_milvus_error(e: Exception) -> bool:
    mod = type(e).__module__ or ""
    return mod.startswith(("pymilvus", "grpc", "milvus_lite")) or isinstance(e, (ConnectionError, TimeoutError))


def _short(e: Exception) -> str:
    msg = getattr(e, "message", None) or str(e)
    return " ".join(str(msg).split())[:300]


def connect(uri: BackendURI, timeout: float = 10.0):
    """A ``MilvusClient`` for ``uri``; ``BackendUnavailable`` (naming the URI and what to check) if none."""
    import logging
    import os

    os.environ.setdefault("GRPC_VERBOSITY", "NONE")  # gRPC's keep-alive chatter is not for the user's terminal
    try:
        from pymilvus import MilvusClient
    except ImportError:
        raise BackendUnavailable(f"{uri.text}: the Milvus backend needs pymilvus (and milvus-lite for a .db file): "
                                 "pip install 'qa-bot[scale]'") from None
    if uri.lite:
        if not uri.path.parent.exists():
            raise BackendUnavailable(f"{uri.text}: folder {uri.path.parent} does not exist")
        try:
            import milvus_lite  # noqa: F401
        except ImportError:
            raise BackendUnavailable(f"{uri.text}: a milvus-lite:// library needs the milvus-lite package: "
                                     "pip install 'qa-bot[scale]'") from None
    for name in ("pymilvus", "pymilvus.client.iterator.query_iterator"):  # "failed to get mvccTs" per iterator
        logging.getLogger(name).setLevel(logging.ERROR)
    try:
        return MilvusClient(uri=uri.client_uri, timeout=timeout)
    except Exception as e:  # noqa: BLE001
        raise BackendUnavailable(f"{uri.text}: cannot connect ({_short(e)}); {_hint(uri)}") from None


# -- the backend --------------------------------------------------------------------------------------
def check_embedding(uri: BackendURI, recorded: dict, embedder) -> None:
    """``IndexMismatch`` when the collection's vectors came from another model, prompts or normalisation."""
    if recorded.get("identity") != embedder.identity:
        raise IndexMismatch(f"{uri.text}: the vectors were built with embedding model {recorded.get('model')!r} "
                            f"but the settings ask for {embedder.name!r}; query with --model {recorded.get('model')} "
                            "or rebuild the vectors (qa-bot sync --rebuild)")
    for key in ("query_prompt", "document_prompt", "normalize"):
        if key in recorded and recorded[key] != getattr(embedder, key):
            raise IndexMismatch(f"{uri.text}: the vectors were built with {key}={recorded[key]!r} but the settings "
                                f"ask for {getattr(embedder, key)!r}")
    if int(recorded.get("dim", 0)) != int(embedder.dim):
        raise IndexMismatch(f"{uri.text}: the collection holds {recorded.get('dim')}-d vectors; "
                            f"{embedder.name!r} makes {embedder.dim}-d ones")


# -- rows -------------------------------------------------------------------------------------------------
_PASSAGE_FIELDS = ["id", "opinion_id", "ordinal", "text", "start", "end", "section", "part", "author", "page_start",
                   "page_end", "footnote", "n_tokens", "case_name", "citation", "court", "court_id", "year"]


def _score(name: str, distance: float, server_bm25: bool) -> float:
    d = float(distance)
    return abs(d) if name == "bm25" and server_bm25 else d  # Milvus Lite reports BM25 scores negated


def _lit(s: str) -> str:
    """A Milvus string literal."""
    return json.dumps(str(s))


def _doc(key: str, kind: str, opinion_id: str = "", source: str = "", status: str = "", h: int = 0, n: int = 0,
         data: str = "") -> dict:
    return {"key": key, "kind": kind, "opinion_id": opinion_id, "source": source[:4096], "status": status, "h": int(h),
            "n": int(n), "data": data, "v": DUMMY}


def _with_meta(p: Passage, op: Opinion) -> Passage:

    m = op.meta
    return replace(p, case_name=m.case_name, court=m.court, citation=m.citation, court_id=m.court_id, year=m.year)


def _passage_row(pid: int, op: Opinion, p: Passage, dl: int, dim: int) -> dict:
    m = op.meta
    return {"id": pid, "opinion_id": op.id, "ordinal": p.ordinal, "text": p.text, "start": p.start, "end": p.end,
            "section": p.section[:4096], "part": p.part, "author": p.author, "page_start": p.page_start,
            "page_end": p.page_end, "footnote": p.footnote, "n_tokens": p.n_tokens, "case_name": m.case_name[:2048],
            "citation": m.citation[:512], "court": m.court[:512], "court_id": m.court_id[:128],
            "court_lc": m.court.lower()[:512], "court_id_lc": m.court_id.lower()[:128], "year": m.year, "dl": dl,
            "embedded": False, "dense": [0.0] * dim}


def _opinion_docs(op: Opinion, passages: list[Passage], rich: int, sk: Iterable[int]) -> list[dict]:
    structure = {"pages": op.pages, "paragraphs": [asdict(p) for p in op.paragraphs],
                 "footnotes": [asdict(f) for f in op.footnotes], "parts": [asdict(p) for p in op.parts],
                 "cites": [asdict(c) for c in op.cites]}
    body = json.dumps({"text": op.text, "structure": structure, "roles": [[r.start, r.end, r.role] for r in op.roles]},
                      ensure_ascii=False)
    blobs = [body[i : i + BLOB_CHARS] for i in range(0, len(body), BLOB_CHARS)]
    sk = sorted(set(sk))
    m = op.meta
    rec = {"meta": asdict(m), "format": op.format, "sha256": op.sha256, "case_name": m.case_name,
           "citation": m.citation, "court": m.court, "court_id": m.court_id, "year": m.year, "n_blobs": len(blobs),
           "n_passages": len(passages), "n_tokens": sum(p.n_tokens for p in passages), "sketch_n": len(sk),
           "n_pages": len({pg for _, pg in op.pages}), "n_footnotes": len(op.footnotes)}
    docs = [_doc(f"blob:{op.id}:{i}", "blob", opinion_id=op.id, n=i, data=b) for i, b in enumerate(blobs)]
    docs += [_doc(f"sk:{h}:{op.id}", "sketch", opinion_id=op.id, h=h) for h in sk]
    docs.append(_doc(f"op:{op.id}", "opinion", opinion_id=op.id, source=op.source, n=rich, data=json.dumps(rec)))
    return docs


def _passage(r: dict) -> Passage:
    return Passage(id=int(r["id"]), opinion_id=r["opinion_id"], ordinal=int(r["ordinal"]), text=r["text"],
                   start=int(r["start"]), end=int(r["end"]), section=r["section"], part=r["part"], author=r.get("author"),
                   page_start=r.get("page_start"), page_end=r.get("page_end"), footnote=r.get("footnote"),
                   n_tokens=int(r["n_tokens"]), case_name=r["case_name"], citation=r["citation"], court=r["court"],
                   court_id=r["court_id"], year=r.get("year"))


def _query_all(client, collection: str, expr: str, fields: list[str], limit: int | None = None) -> list[dict]:
    """Every row matching ``expr`` (through a query iterator: Milvus caps one query at 16,384 rows)."""
    if limit is not None:
        return client.query(collection, filter=expr, output_fields=fields, limit=limit)
    it = client.query_iterator(collection, batch_size=2000, filter=expr, output_fields=fields)
    out = []
    try:
        while True:
            batch = it.next()
            if not batch:
                break
            out += batch
    finally:
        it.close()
    return out


# -- schema ----------------------------------------------------------------------------------------------
def create_aux(c, docs_name: str, terms_name: str) -> None:
    """The library's NAME_docs and NAME_terms collections."""
    from pymilvus import DataType

    s = c.create_schema(auto_id=False, enable_dynamic_field=False)
    s.add_field("key", DataType.VARCHAR, is_primary=True, max_length=1024)
    s.add_field("kind", DataType.VARCHAR, max_length=16)
    s.add_field("opinion_id", DataType.VARCHAR, max_length=256)
    s.add_field("source", DataType.VARCHAR, max_length=4096)
    s.add_field("status", DataType.VARCHAR, max_length=256)
    s.add_field("h", DataType.INT64)
    s.add_field("n", DataType.INT64)
    s.add_field("data", DataType.VARCHAR, max_length=MAX_TEXT)
    s.add_field("v", DataType.FLOAT_VECTOR, dim=2)
    ip = c.prepare_index_params()
    ip.add_index("v", index_type="FLAT", metric_type="L2")
    for f in ("kind", "opinion_id", "source", "h"):
        ip.add_index(f, index_type="INVERTED")
    c.create_collection(docs_name, schema=s, index_params=ip)
    t = c.create_schema(auto_id=False, enable_dynamic_field=False)
    t.add_field("id", DataType.INT64, is_primary=True)
    t.add_field("df", DataType.INT64)
    t.add_field("v", DataType.FLOAT_VECTOR, dim=2)
    ip = c.prepare_index_params()
    ip.add_index("v", index_type="FLAT", metric_type="L2")
    c.create_collection(terms_name, schema=t, index_params=ip)

def create_passages(c, name: str, dim: int, server_bm25: bool) -> None:
    """The passage collection: text and metadata, dense and sparse vectors, scalar indexes for the filters."""
    from pymilvus import DataType, Function, FunctionType

    s = c.create_schema(auto_id=False, enable_dynamic_field=False)
    s.add_field("id", DataType.INT64, is_primary=True)
    s.add_field("opinion_id", DataType.VARCHAR, max_length=256)
    s.add_field("ordinal", DataType.INT64)
    kw = {"enable_analyzer": True} if server_bm25 else {}
    s.add_field("text", DataType.VARCHAR, max_length=MAX_TEXT, **kw)
    s.add_field("start", DataType.INT64)
    s.add_field("end", DataType.INT64)
    s.add_field("section", DataType.VARCHAR, max_length=4096)
    s.add_field("part", DataType.VARCHAR, max_length=64)
    s.add_field("author", DataType.VARCHAR, max_length=512, nullable=True)
    s.add_field("page_start", DataType.INT64, nullable=True)
    s.add_field("page_end", DataType.INT64, nullable=True)
    s.add_field("footnote", DataType.VARCHAR, max_length=64, nullable=True)
    s.add_field("n_tokens", DataType.INT64)
    s.add_field("case_name", DataType.VARCHAR, max_length=2048)
    s.add_field("citation", DataType.VARCHAR, max_length=512)
    s.add_field("court", DataType.VARCHAR, max_length=512)
    s.add_field("court_id", DataType.VARCHAR, max_length=128)
    s.add_field("court_lc", DataType.VARCHAR, max_length=512)
    s.add_field("court_id_lc", DataType.VARCHAR, max_length=128)
    s.add_field("year", DataType.INT64, nullable=True)
    s.add_field("dl", DataType.INT64)
    s.add_field("seq", DataType.INT64)  # write order: ties in a fused ranking go to the earlier passage, as locally
    s.add_field("embedded", DataType.BOOL)
    s.add_field("dense", DataType.FLOAT_VECTOR, dim=int(dim))
    s.add_field("lex", DataType.SPARSE_FLOAT_VECTOR)
    ip = c.prepare_index_params()
    ip.add_index("dense", index_type="HNSW", metric_type="IP", params={"M": 32, "efConstruction": 200})
    ip.add_index("lex", index_type="SPARSE_INVERTED_INDEX", metric_type="IP")
    for f in ("opinion_id", "court_lc", "court_id_lc", "year", "embedded"):
        ip.add_index(f, index_type="INVERTED")
    if server_bm25:
        s.add_field("text_bm25", DataType.SPARSE_FLOAT_VECTOR)
        s.add_function(Function(name="text_bm25_fn", function_type=FunctionType.BM25,
                                input_field_names=["text"], output_field_names=["text_bm25"]))
        ip.add_index("text_bm25", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25",
                     params={"bm25_k1": K1, "bm25_b": B})
    c.create_collection(name, schema=s, index_params=ip)
