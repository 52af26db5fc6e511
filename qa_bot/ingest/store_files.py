"""The store's record of the files it has read (``files``: content hash -> status and opinion) and of the
duplicates it skipped (``duplicates``), which make ingest idempotent. ``Store`` inherits these methods;
they are here to keep ``store.py`` readable in one sitting."""

from __future__ import annotations

from .schema import guarded


class FileRows:
    db = None  # the Store's connection

    @guarded
    def record_file(self, sha256: str, source: str, status: str, opinion_id: str | None = None) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO files(sha256, source, opinion_id, status) VALUES (?,?,?,?)",
            (sha256, source, opinion_id, status),
        )

    @guarded
    def record_duplicate(self, source: str, sha256: str, duplicate_of: str, reason: str) -> None:
        self.db.execute(
            "INSERT INTO duplicates(source, sha256, duplicate_of, reason) VALUES (?,?,?,?)",
            (source, sha256, duplicate_of, reason),
        )

    @guarded
    def forget_files(self, opinion_id: str) -> None:
        """Drop the ``files`` rows of an opinion (its file changed: the new bytes are ingested anew)."""
        self.db.execute("DELETE FROM files WHERE opinion_id=?", (opinion_id,))

    @guarded
    def repoint_files(self, old_id: str, new_id: str) -> None:
        """Files that gave ``old_id`` now count as duplicates of ``new_id`` (a richer version replaced it)."""
        self.db.execute("UPDATE files SET status='duplicate', opinion_id=? WHERE opinion_id=?", (new_id, old_id))

    @guarded
    def ingested_from(self, source: str) -> str | None:
        """The opinion id an earlier ingest of ``source`` (a path, or "path#entry") stored, if any."""
        row = self.db.execute("SELECT opinion_id FROM files WHERE source=? AND status='ingested'"
                              " AND opinion_id IS NOT NULL", (source,)).fetchone()
        return row[0] if row else None

    @guarded
    def seen(self, sha256: str) -> tuple[str, str | None] | None:
        """(status, opinion_id) if these exact bytes were ingested before."""
        row = self.db.execute("SELECT status, opinion_id FROM files WHERE sha256=?", (sha256,)).fetchone()
        return (row[0], row[1]) if row else None
