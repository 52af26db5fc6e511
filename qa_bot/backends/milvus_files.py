"""The Milvus store's record of the files it has read and the duplicates it skipped (documents of kind
``file`` and ``dup`` in the library's documents collection), which make ingest idempotent and resumable by
file hash. ``MilvusStore`` inherits these methods, as ``Store`` inherits ``ingest.store_files.FileRows``."""

from __future__ import annotations

import hashlib
from typing import Sequence

from .milvus_io import _doc, _guard, _lit


class MilvusFileRows:
    client = None  # the MilvusStore's client, its documents collection name and helpers
    docs_name = ""

    @_guard
    def record_file(self, sha256: str, source: str, status: str, opinion_id: str | None = None) -> None:
        self._upsert_docs([_doc(f"file:{sha256}", "file", opinion_id=opinion_id or "", source=source, status=status)])

    @_guard
    def record_duplicate(self, source: str, sha256: str, duplicate_of: str, reason: str) -> None:
        key = "dup:" + hashlib.sha256(f"{source}\x00{sha256}\x00{duplicate_of}".encode()).hexdigest()
        self._upsert_docs([_doc(key, "dup", opinion_id=duplicate_of, source=source, status=reason[:256], data=sha256)])

    @_guard
    def forget_files(self, opinion_id: str) -> None:
        self.client.delete(self.docs_name, filter=f'kind == "file" and opinion_id == {_lit(opinion_id)}')

    @_guard
    def repoint_files(self, old_id: str, new_id: str) -> None:
        rows = self._query_docs(f'kind == "file" and opinion_id == {_lit(old_id)}', ["key", "source"])
        self._upsert_docs([_doc(r["key"], "file", opinion_id=new_id, source=r["source"], status="duplicate") for r in rows])

    @_guard
    def ingested_from(self, source: str) -> str | None:
        rows = self._query_docs(f'kind == "file" and source == {_lit(source)} and status == "ingested"',
                                ["opinion_id"], limit=1)
        return rows[0]["opinion_id"] or None if rows else None

    @_guard
    def seen(self, sha256: str) -> tuple[str, str | None] | None:
        rows = self.client.get(self.docs_name, ids=[f"file:{sha256}"], output_fields=["status", "opinion_id"])
        return (rows[0]["status"], rows[0]["opinion_id"] or None) if rows else None

    @_guard
    def seen_many(self, keys: Sequence[str]) -> set[str]:
        """The content hashes among ``keys`` already ingested (or recorded as duplicates)."""
        out = set()
        for lo in range(0, len(keys), 1000):
            rows = self.client.get(self.docs_name, ids=[f"file:{k}" for k in keys[lo : lo + 1000]], output_fields=["key"])
            out.update(r["key"][5:] for r in rows)
        return out
