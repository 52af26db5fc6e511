"""The Milvus backend's store: the ``Store`` API (what the ingest pipeline writes through, what the
answerer, eval and the chat read) over a library's Milvus collections. See ``backends.milvus``."""

from __future__ import annotations

import json
import time
from collections import Counter
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

import numpy as np

from ..errors import IndexCorrupt, IndexMismatch, IndexNotFound
from ..types import Meta, Opinion, Passage
from .milvus_io import (DUMMY, EMPTY_SPARSE, _PASSAGE_FIELDS, _doc, _guard, _lit, _opinion_docs, _passage,
                        _passage_row, _query_all, _with_meta, connect, create_aux, create_passages, doc_terms,
                        doc_weights, lexical_header, passage_id, term_id)
from .milvus_files import MilvusFileRows
from .uri import BackendURI

SCHEMA_VERSION = 1
LEXICAL_KIND = "client-bm25-1"  # qa-bot's tokeniser, K1/B of index.lexical, header field, query-side IDF
WRITE_BATCH = 500


class MilvusStore(MilvusFileRows):
    """A library's store (the ``Store`` API the ingest pipeline and the answerer use) and its indexes
    (``sync``, ``candidates``, ``status``, ``term_stats``) over one Milvus collection set."""

    def __init__(self, uri: BackendURI, dim: Callable[[], int] | int | None = None, lexical: str = "client",
                 create: bool = True):
        self.uri = uri
        self.name = uri.collection
        self.docs_name = f"{self.name}_docs"
        self.terms_name = f"{self.name}_terms"
        self.path = uri.path or Path(uri.address)
        # local files of the library (uploads, caches): beside a Milvus Lite file, or under embeddings/
        self.folder = uri.path.with_name(uri.path.name + ".files") if uri.path else _local_folder(uri.collection)
        self._dim = dim
        self.client = connect(uri)
        self._meta_cache: dict | None = None
        self._opinions_cache: list | None = None
        self._df_cache: dict[int, int] = {}
        try:
            self._setup(create, lexical)
        except BaseException:
            self.close()  # a refused library leaves no Milvus Lite server holding its file
            raise

    # -- schema -------------------------------------------------------------------------------------
    @_guard
    def _setup(self, create: bool, lexical: str) -> None:
        have = set(self.client.list_collections())
        if self.docs_name not in have:
            if not create:
                raise IndexNotFound(f"{self.uri.text}: no qa-bot library in this Milvus (collection "
                                    f"{self.docs_name} is missing); create one with qa-bot ingest PATH --index {self.uri.text}")
            if self.name in have:
                raise IndexMismatch(f"{self.uri.text}: collection {self.name} exists but was not made by qa-bot "
                                    f"(no {self.docs_name}); choose another collection name")
            self._create_aux()
            self.client.load_collection(self.docs_name)
            self.client.load_collection(self.terms_name)
            self._put_meta({"schema": SCHEMA_VERSION, "lexical": lexical if lexical == "milvus-bm25" else LEXICAL_KIND,
                            "n": 0, "total_len": 0, "avgdl_weights": 0.0, "embedding": None, "chunk": None,
                            "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())})
        for c in (self.docs_name, self.terms_name, self.name):  # a reopened library's collections start released
            if c in set(self.client.list_collections()):
                self.client.load_collection(c)
        m = self.meta()
        if m.get("schema") != SCHEMA_VERSION:
            raise IndexMismatch(f"{self.uri.text}: library schema {m.get('schema')!r}; this qa-bot reads schema "
                                f"{SCHEMA_VERSION} (rebuild it: qa-bot ingest into a new collection)")
        if m.get("lexical") not in (LEXICAL_KIND, "milvus-bm25"):
            raise IndexMismatch(f"{self.uri.text}: lexical index {m.get('lexical')!r} is not one this qa-bot "
                                f"reads ({LEXICAL_KIND}, milvus-bm25); rebuild it into a new collection")
        if self.name in have:
            self._check_passage_schema()

    @property
    def server_bm25(self) -> bool:
        return self.meta().get("lexical") == "milvus-bm25"

    def _create_aux(self) -> None:
        create_aux(self.client, self.docs_name, self.terms_name)

    def _create_passages(self, dim: int) -> None:
        create_passages(self.client, self.name, int(dim), self.server_bm25)
        self.client.load_collection(self.name)
        self._put_meta({**self.meta(), "dim": int(dim)})

    def _check_passage_schema(self) -> None:
        d = self.client.describe_collection(self.name)
        names = {f["name"] for f in d.get("fields", [])}
        self._fields = names
        need = {"id", "opinion_id", "text", "dense", "lex", "embedded", "dl", "seq", "court_lc", "year"}
        if not need <= names:
            raise IndexMismatch(f"{self.uri.text}: collection {self.name} lacks fields {sorted(need - names)}; "
                                "it was built by another qa-bot schema. Rebuild into a new collection")

    def _ensure_passages(self) -> None:
        if self.client.has_collection(self.name):
            return
        dim = self._dim() if callable(self._dim) else self._dim
        if not dim:
            raise IndexCorrupt(f"{self.uri.text}: cannot create the passage collection without a vector dimension")
        self._create_passages(int(dim))

    # -- meta ---------------------------------------------------------------------------------------
    def meta(self) -> dict:
        if self._meta_cache is None:
            rows = self.client.get(self.docs_name, ids=["meta:library"], output_fields=["data"])
            self._meta_cache = json.loads(rows[0]["data"]) if rows else {}
        return dict(self._meta_cache)

    def _put_meta(self, m: dict) -> None:
        self._upsert_docs([_doc("meta:library", "meta", data=json.dumps(m))])
        self._meta_cache = dict(m)

    def get_meta(self, key: str) -> str | None:
        v = self.meta().get("kv", {}).get(key)
        return None if v is None else str(v)

    def set_meta(self, key: str, value: str) -> None:
        m = self.meta()
        m.setdefault("kv", {})[key] = value
        self._put_meta(m)

    # -- plumbing -----------------------------------------------------------------------------------
    def close(self) -> None:
        try:
            self.client.close()
        except Exception:  # noqa: BLE001 - closing a dead connection
            pass
        if self.uri.lite:  # stop the in-process Milvus Lite server: its file lock goes with it
            try:
                from milvus_lite.server_manager import server_manager_instance

                server_manager_instance.release_server(str(self.uri.path))
            except Exception:  # noqa: BLE001
                pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    @contextmanager
    def transaction(self):
        """Milvus has no multi-row transactions: writes are ordered instead (see the module docstring)."""
        yield self

    def _upsert_docs(self, rows: list[dict]) -> None:
        for lo in range(0, len(rows), WRITE_BATCH):
            self.client.upsert(self.docs_name, rows[lo : lo + WRITE_BATCH])

    def _query_docs(self, expr: str, fields: Sequence[str], limit: int | None = None) -> list[dict]:
        return _query_all(self.client, self.docs_name, expr, list(fields), limit)

    # -- writes (the Store API the ingest pipeline uses) --------------------------------------------
    @_guard
    def add_opinion(self, op: Opinion, passages: Iterable[Passage], richness: int = 0,
                    sketch: Iterable[int] = ()) -> list[int]:
        return self.add_opinions([(op, list(passages), richness, list(sketch))])[0]

    @_guard
    def add_opinions(self, items: Sequence[tuple[Opinion, list[Passage], int, list[int]]],
                     vectors: Sequence[np.ndarray | None] | None = None) -> list[list[int]]:
        """Write opinions with their passages (and, from a distributed ingest, their vectors) in batches."""
        self._ensure_passages()
        for op, *_ in items:  # leftovers of an interrupted run go first (their statistics with them)
            self._delete_passages(f'opinion_id == {_lit(op.id)}', df_sub=True)
        m = self.meta()
        n, total, seq = int(m["n"]), int(m["total_len"]), int(m.get("seq", 0))
        dim = int(m["dim"])
        out, rows, docs, df_add = [], [], [], Counter()
        for j, (op, passages, rich, sk) in enumerate(items):
            ids = []
            vecs = vectors[j] if vectors is not None else None
            for i, p in enumerate(passages):
                pid = passage_id(op.id, p.ordinal)
                terms = doc_terms(p.text, lexical_header(_with_meta(p, op)))
                tf = Counter(terms)
                df_add.update({term_id(t) for t in tf})
                n += 1
                total += len(terms)
                row = _passage_row(pid, op, p, len(terms), dim)
                if vecs is not None:
                    row["dense"] = np.asarray(vecs[i], dtype=np.float32).tolist()
                    row["embedded"] = True
                row["_tf"] = tf
                seq += 1
                row["seq"] = seq
                rows.append(row)
                ids.append(pid)
            out.append(ids)
            docs += _opinion_docs(op, passages, rich, sk)
        avgdl = m["avgdl_weights"] or (total / n if n else 1.0)
        for row in rows:
            tf = row.pop("_tf")
            row["lex"] = doc_weights(tf, row["dl"], avgdl) or EMPTY_SPARSE
        for lo in range(0, len(rows), WRITE_BATCH):
            self.client.upsert(self.name, rows[lo : lo + WRITE_BATCH])
        self._add_df(df_add, +1)
        self._upsert_docs(docs)  # opinion records after their passages; the caller's file record comes last
        self._put_meta({**self.meta(), "n": n, "total_len": total, "avgdl_weights": avgdl, "seq": seq})
        self._opinions_cache = None
        return out

    def _add_df(self, counts: Counter, sign: int) -> None:
        keys = list(counts)
        for lo in range(0, len(keys), 5000):
            chunk = keys[lo : lo + 5000]
            have = {r["id"]: r["df"] for r in self.client.get(self.terms_name, ids=chunk, output_fields=["df"])}
            rows = [{"id": k, "df": max(0, have.get(k, 0) + sign * counts[k]), "v": DUMMY} for k in chunk]
            self.client.upsert(self.terms_name, rows)
            for r in rows:
                self._df_cache.pop(r["id"], None)

    def _delete_passages(self, expr: str, df_sub: bool) -> list[int]:
        if not self.client.has_collection(self.name):
            return []
        rows = _query_all(self.client, self.name, expr, ["id", "text", "case_name", "court", "section", "dl"])
        if not rows:
            return []
        if df_sub:
            df = Counter()
            for r in rows:
                df.update({term_id(t) for t in doc_terms(r["text"], " ".join(x for x in (r["case_name"], r["court"], r["section"]) if x))})
            self._add_df(df, -1)
            m = self.meta()
            self._put_meta({**m, "n": max(0, m["n"] - len(rows)),
                            "total_len": max(0, m["total_len"] - sum(r["dl"] for r in rows))})
        ids = [r["id"] for r in rows]
        for lo in range(0, len(ids), 5000):
            self.client.delete(self.name, ids=ids[lo : lo + 5000])
        return ids

    @_guard
    def remove_opinion(self, opinion_id: str) -> list[int]:
        ids = self._delete_passages(f"opinion_id == {_lit(opinion_id)}", df_sub=True)
        self.client.delete(self.docs_name, filter=f'opinion_id == {_lit(opinion_id)} and kind in ["opinion", "blob", "sketch"]')
        self._opinions_cache = None
        return ids

    def _opinion_record(self, opinion_id: str) -> dict | None:
        rows = self.client.get(self.docs_name, ids=[f"op:{opinion_id}"], output_fields=["data", "source", "n"])
        if not rows:
            return None
        d = json.loads(rows[0]["data"])
        d["source"], d["richness"] = rows[0]["source"], rows[0]["n"]
        return d

    @_guard
    def opinion_summary(self, opinion_id: str) -> dict | None:
        d = self._opinion_record(opinion_id)
        return {k: d[k] for k in ("case_name", "citation", "source", "sha256")} if d else None

    @_guard
    def has_opinion(self, opinion_id: str) -> bool:
        return self._opinion_record(opinion_id) is not None

    @_guard
    def richness(self, opinion_id: str) -> int:
        d = self._opinion_record(opinion_id)
        return int(d["richness"]) if d else 0

    @_guard
    def sketch_overlap(self, hashes: Iterable[int]) -> list[tuple[str, int, int]]:
        hashes = sorted(set(int(h) for h in hashes))
        if not hashes:
            return []
        shared = Counter()
        for lo in range(0, len(hashes), 1000):
            rows = self._query_docs(f'kind == "sketch" and h in {hashes[lo:lo + 1000]}', ["opinion_id"])
            shared.update(r["opinion_id"] for r in rows)
        out = []
        for oid, c in shared.most_common(5):
            d = self._opinion_record(oid)
            out.append((oid, c, int(d.get("sketch_n", 0)) if d else 0))
        return out

    @_guard
    def opinion(self, opinion_id: str) -> Opinion:
        from ..ingest.schema import meta_from_json
        from ..types import CitedAuthority, Footnote, Paragraph, Part, SentenceRole

        d = self._opinion_record(opinion_id)
        if d is None:
            raise KeyError(opinion_id)
        keys = [f"blob:{opinion_id}:{i}" for i in range(int(d["n_blobs"]))]
        parts = {r["key"]: r["data"] for r in self.client.get(self.docs_name, ids=keys, output_fields=["data"])}
        if len(parts) != len(keys):
            raise IndexCorrupt(f"{self.uri.text}: opinion {opinion_id} lacks {len(keys) - len(parts)} of its text blobs; "
                               "ingest its file again")
        body = json.loads("".join(parts[k] for k in keys))
        st = body["structure"]
        return Opinion(id=opinion_id, meta=meta_from_json(json.dumps(d["meta"])), text=body["text"],
                       pages=tuple((int(o), int(p)) for o, p in st["pages"]),
                       paragraphs=tuple(Paragraph(**p) for p in st["paragraphs"]),
                       footnotes=tuple(Footnote(**f) for f in st["footnotes"]), parts=tuple(Part(**p) for p in st["parts"]),
                       cites=tuple(CitedAuthority(**c) for c in st["cites"]), source=d["source"], format=d["format"],
                       sha256=d["sha256"], roles=tuple(SentenceRole(*r) for r in body.get("roles", ())))

    def passage_roles(self, ids: Iterable[int]) -> dict[int, list[str]]:
        """The roles of the sentences in each passage (``Store.passage_roles``), read from the opinions'
        stored roles (kept for the last few opinions asked about)."""
        out: dict[int, list[str]] = {}
        cache = self.__dict__.setdefault("_roles_cache", {})
        for p in self.passages(ids):
            if p.opinion_id not in cache:
                if len(cache) > 64:
                    cache.clear()
                cache[p.opinion_id] = self.opinion(p.opinion_id)
            roles = cache[p.opinion_id].roles_between(p.start, p.end)
            if roles:
                out[p.id] = roles
        return out

    def _opinion_rows(self) -> list[dict]:
        if self._opinions_cache is None:
            rows = self._query_docs('kind == "opinion"', ["opinion_id", "data"])
            self._opinions_cache = [{"id": r["opinion_id"], **json.loads(r["data"])} for r in rows]
        return self._opinions_cache

    @_guard
    def opinions(self) -> Iterator[tuple[str, Meta, int]]:
        from ..ingest.schema import meta_from_json as _meta

        rows = sorted(self._opinion_rows(), key=lambda d: (d["case_name"], d["id"]))
        for d in rows:
            yield d["id"], _meta(json.dumps(d["meta"])), int(d.get("n_passages", 0))

    @_guard
    def passage(self, passage_id: int) -> Passage:
        out = self.passages([passage_id])
        if not out:
            raise KeyError(passage_id)
        return out[0]

    @_guard
    def passages(self, ids: Iterable[int] | None = None) -> list[Passage]:
        if not self.client.has_collection(self.name):
            return []
        if ids is None:
            rows = _query_all(self.client, self.name, "", _PASSAGE_FIELDS)
            return [_passage(r) for r in sorted(rows, key=lambda r: r["id"])]
        ids = [int(i) for i in ids]
        found = {}
        for lo in range(0, len(ids), 1000):
            for r in self.client.get(self.name, ids=ids[lo : lo + 1000], output_fields=_PASSAGE_FIELDS):
                found[r["id"]] = _passage(r)
        return [found[i] for i in ids if i in found]

    @_guard
    def passage_owners(self) -> Iterator[tuple[int, str, str]]:
        if not self.client.has_collection(self.name):
            return iter(())
        rows = _query_all(self.client, self.name, "", ["id", "opinion_id", "text"])
        return iter(sorted(((r["id"], r["opinion_id"], r["text"]) for r in rows)))

    @_guard
    def passage_ids(self) -> list[int]:
        if not self.client.has_collection(self.name):
            return []
        return sorted(r["id"] for r in _query_all(self.client, self.name, "", ["id"]))

    @_guard
    def courts(self) -> list[tuple[str, str]]:
        return sorted({(d["court_id"], d["court"]) for d in self._opinion_rows()})

    @_guard
    def case_opinions(self, case: str) -> list[str]:
        """Ids of the opinions whose case name contains ``case`` or whose citations do (spaces, dots ignored),
        as the local store's ``has_case`` / case filter match."""
        import re

        low = case.lower()
        cite = re.sub(r"[\s.]", "", low)
        out = []
        for d in self._opinion_rows():
            if low in d["case_name"].lower() or cite in re.sub(r"[\s.]", "", d["citation"].lower()) \
                    or f'"{cite}"' in re.sub(r"[\s.]", "", json.dumps(d["meta"]).lower()):
                out.append(d["id"])
        return out

    def has_case(self, case: str) -> bool:
        return bool(self.case_opinions(case))

    @_guard
    def stats(self) -> dict:
        ops = self._opinion_rows()
        count = lambda kind: len(self._query_docs(f'kind == "{kind}"', ["key"]))  # noqa: E731
        return {"opinions": len(ops), "passages": int(self.meta().get("n", 0)),
                "pages": sum(int(d.get("n_pages", 0)) for d in ops),
                "footnotes": sum(int(d.get("n_footnotes", 0)) for d in ops),
                "tokens": sum(int(d.get("n_tokens", 0)) for d in ops),
                "duplicates_skipped": count("dup"), "files_seen": count("file")}


def _local_folder(collection: str) -> Path:
    from ..paths import embeddings_root

    return embeddings_root() / collection
