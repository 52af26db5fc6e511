"""The store's sentence roles (``qa_bot.ingest.roles``): one row per sentence of an opinion, in the
``sentence_roles`` table (schema version 3). ``Store`` inherits these methods; they are here to keep
``store.py`` readable in one sitting. Roles steer ranking and label quoted sentences; the quoted text
itself is checksummed by the store (``schema``), the roles are recomputed by ``qa-bot sync``."""

from __future__ import annotations

from typing import Iterable

from ..types import SentenceRole


class RoleRows:
    db = None  # the Store's connection

    def set_roles(self, opinion_id: str, roles: Iterable[SentenceRole]) -> None:
        """Replace the sentence roles of an opinion (call inside a transaction)."""
        self.db.execute("DELETE FROM sentence_roles WHERE opinion_id=?", (opinion_id,))
        self.db.executemany('INSERT INTO sentence_roles(opinion_id, start, "end", role) VALUES (?,?,?,?)',
                            [(opinion_id, r.start, r.end, r.role) for r in roles])

    def roles_of(self, opinion_id: str) -> tuple[SentenceRole, ...]:
        return tuple(SentenceRole(a, b, r) for a, b, r in self.db.execute(
            'SELECT start, "end", role FROM sentence_roles WHERE opinion_id=? ORDER BY start', (opinion_id,)))

    def passage_roles(self, ids: Iterable[int]) -> dict[int, list[str]]:
        """The roles of the sentences in each passage (in order), by passage id; untagged: no entry."""
        ids = [int(i) for i in ids]
        out: dict[int, list[str]] = {}
        for i in range(0, len(ids), 900):
            chunk = ids[i : i + 900]
            for pid, role in self.db.execute(
                    'SELECT p.id, r.role FROM passages p JOIN sentence_roles r ON r.opinion_id = p.opinion_id'
                    f' AND r.start >= p.start AND r.start < p."end" WHERE p.id IN ({",".join("?" * len(chunk))})'
                    " ORDER BY p.id, r.start", chunk):
                out.setdefault(pid, []).append(role)
        return out

    def untagged_opinions(self) -> list[str]:
        """Ids of opinions that have no sentence roles yet (stored before roles existed)."""
        return [r[0] for r in self.db.execute(
            "SELECT id FROM opinions o WHERE NOT EXISTS (SELECT 1 FROM sentence_roles r WHERE r.opinion_id = o.id)")]
