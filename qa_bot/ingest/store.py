"""The passage store: one SQLite file per index folder (``<index>/library.sqlite``).

Tables: ``opinions`` (metadata, clean text, structure as JSON), ``passages`` (integer ids that the
vector and lexical indexes are keyed by), ``files`` (content hashes already seen, for idempotent
ingest), ``duplicates`` (what was skipped and why), ``sketch`` (shingle hashes for near-duplicate
detection) and ``meta`` (schema version, store id, generation). Every change is one transaction: an
interrupted ingest leaves the previous state intact; each committed write transaction advances
``generation``, which the search indexes record, so a store that went back in time (a lost
``library.sqlite-wal``, a restored copy) is noticed. The schema and its migrations are in ``schema``.

What answers quote is checked on the way out: every passage and opinion handed out has its checksum
verified (``schema``), and SQLite's reports of a damaged file become ``StoreCorrupt`` naming the file
and the repair command instead of tracebacks. A damaged row is never returned as if it were text.
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
from dataclasses import asdict
from pathlib import Path
from typing import Iterable, Iterator

from ..errors import QaBotError, StoreCorrupt
from ..types import Meta, Opinion, Passage
from . import schema
from .store_files import FileRows
from .store_roles import RoleRows
from .schema import (  # noqa: F401 (SCHEMA_VERSION: where it was before)
    BODY_SUMMED, CITE_SUMMED, N_CITE, N_PASSAGE, OPINION_COLS, PASSAGE_COLS, PASSAGE_SUMMED, SCHEMA_VERSION,
    digest, guarded, meta_from_json, opinion_from_row, passage_from_row)

DB_NAME = "library.sqlite"



class Store(FileRows, RoleRows):
    """Thin typed access to the SQLite file. Use as a context manager or call ``close()``.

    Concurrency: every thread gets its own connection (``db``), so a reader on one thread sees the last
    committed state (WAL) and never waits for, or reads inside, another thread's open write transaction.
    Write transactions (``transaction()``) run on the calling thread's connection; SQLite admits one
    writer at a time (``qa_bot.index.writer`` decides which)."""

    def __init__(self, folder: str | Path, create: bool = True):
        self.folder = Path(folder)
        self.path = self.folder / DB_NAME
        if not self.path.exists() and not create:
            from ..errors import IndexNotFound

            raise IndexNotFound(f"{self.folder}: no library here ({DB_NAME} is missing)")
        self.folder.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._conns: dict[int, sqlite3.Connection] = {}  # thread ident -> its connection (closed by close())
        self._conns_lock = threading.Lock()
        self._closed = False
        try:
            self.db.execute("PRAGMA journal_mode=WAL")
            schema.upgrade(self.db, self.path)
        except sqlite3.DatabaseError as e:
            self.close()
            raise self._failure(e) from None
        except BaseException:
            self.close()
            raise

    # -- plumbing -------------------------------------------------------------------------------
    @property
    def db(self) -> sqlite3.Connection:
        """This thread's connection (opened on first use)."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            if self._closed:
                raise sqlite3.ProgrammingError(f"{self.path}: the store is closed")
            conn = sqlite3.connect(self.path, timeout=30, check_same_thread=False, isolation_level=None)
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("PRAGMA foreign_keys=ON")
            with self._conns_lock:
                live = {t.ident for t in threading.enumerate()}
                for ident in [i for i in self._conns if i not in live]:  # threads that ended
                    self._conns.pop(ident).close()
                self._conns[threading.get_ident()] = conn
            self._local.conn = conn
        return conn

    def close(self) -> None:
        self._closed = True
        with self._conns_lock:
            conns, self._conns = list(self._conns.values()), {}
        for conn in conns:
            conn.close()
        self._local = threading.local()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def transaction(self):
        """``with store.transaction(): ...`` -- BEGIN IMMEDIATE ... COMMIT (advancing ``generation``),
        ROLLBACK on error."""
        return _Tx(self)

    def repair_hint(self) -> str:
        return f"run qa-bot check --repair --index {self.folder}"

    def _failure(self, e: sqlite3.DatabaseError) -> QaBotError:
        msg = str(e)
        if isinstance(e, sqlite3.OperationalError) and ("locked" in msg or "busy" in msg):
            return QaBotError(f"{self.path}: the library is busy (another qa-bot process is writing to it); "
                              "try again when it has finished")
        return StoreCorrupt(f"{self.path}: the library file is damaged ({msg}); {self.repair_hint()}")

    def _damaged(self, what: str) -> StoreCorrupt:
        return StoreCorrupt(f"{self.path}: {what} does not match its checksum (the library file is damaged); "
                            f"{self.repair_hint()}")

    def identity(self) -> dict:
        """``{"id", "generation"}``: which store this is and how many write transactions it has seen."""
        return {"id": self.get_meta("store_id") or "", "generation": int(self.get_meta("generation") or 0)}

    @guarded
    def get_meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else None

    @guarded
    def set_meta(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))

    # -- writes (call inside one transaction per opinion) -----------------------------------------
    @guarded
    def add_opinion(self, op: Opinion, passages: Iterable[Passage], richness: int = 0,
                    sketch: Iterable[int] = ()) -> list[int]:
        """Insert an opinion with its passages; returns the new passage ids in ordinal order."""
        return self.add_rows(schema.opinion_rows(op, passages, richness, sketch))

    @guarded
    def add_rows(self, rows: schema.OpinionRows) -> list[int]:
        """Insert an opinion's rows made by ``schema.opinion_rows`` (in the process that prepared it);
        returns the new passage ids in ordinal order."""
        self.db.execute(f"INSERT INTO opinions({OPINION_COLS}, richness, n_tokens) VALUES ({','.join('?' * 16)})",
                        rows.opinion)
        first = self.db.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM passages").fetchone()[0]
        ids = list(range(first, first + len(rows.passages)))
        self.db.executemany(f"INSERT INTO passages({', '.join(PASSAGE_SUMMED)}, checksum) VALUES ({','.join('?' * 14)})",
                            [(i, *r, digest((i,), tail)) for i, (r, tail) in zip(ids, rows.passages)])
        oid = rows.id
        self.db.executemany("INSERT INTO sketch(hash, opinion_id) VALUES (?, ?)", [(h, oid) for h in rows.sketch])
        self.set_roles(oid, rows.roles)
        return ids

    @guarded
    def remove_opinion(self, opinion_id: str) -> list[int]:
        """Delete an opinion and its passages; returns the removed passage ids (for the indexes)."""
        ids = [r[0] for r in self.db.execute("SELECT id FROM passages WHERE opinion_id=?", (opinion_id,))]
        self.db.execute("DELETE FROM opinions WHERE id=?", (opinion_id,))
        return ids

    @guarded
    def opinion_passage_ids(self, opinion_id: str) -> list[int]:
        return [r[0] for r in self.db.execute("SELECT id FROM passages WHERE opinion_id=? ORDER BY id", (opinion_id,))]

    @guarded
    def update_meta(self, opinion_id: str, meta: Meta) -> None:
        """Replace an opinion's metadata (case name, citation, court, year, ...) and its checksum."""
        cite = (opinion_id, meta.case_name, meta.citation, meta.court, meta.court_id, meta.year,
                json.dumps(asdict(meta)))
        sets = ", ".join(f"{c}=?" for c in CITE_SUMMED[1:])
        self.db.execute(f"UPDATE opinions SET {sets}, cite_sum=? WHERE id=?", cite[1:] + (digest(cite), opinion_id))

    # -- reads ------------------------------------------------------------------------------------
    @guarded
    def opinion_summary(self, opinion_id: str) -> dict | None:
        """case_name, citation, source and sha256 of a stored opinion (None if absent), without its text."""
        row = self.db.execute("SELECT case_name, citation, source, sha256 FROM opinions WHERE id=?",
                              (opinion_id,)).fetchone()
        return dict(zip(("case_name", "citation", "source", "sha256"), row)) if row else None

    @guarded
    def has_opinion(self, opinion_id: str) -> bool:
        return self.db.execute("SELECT 1 FROM opinions WHERE id=?", (opinion_id,)).fetchone() is not None

    @guarded
    def sketch_overlap(self, hashes: Iterable[int]) -> list[tuple[str, int, int]]:
        """Opinions sharing sketch hashes: (opinion_id, shared, that opinion's sketch size), the five most
        shared first (ties by opinion id). The hashes are looked up in the hash index (``q CROSS JOIN``
        fixes that order: left to itself SQLite scanned the whole sketch table for every opinion ingested,
        which made an ingest quadratic in the library's size), and only the five are sized."""
        hashes = list(set(hashes))
        if not hashes:
            return []
        self.db.execute("CREATE TEMP TABLE IF NOT EXISTS q(hash INTEGER)")
        self.db.execute("DELETE FROM q")
        self.db.executemany("INSERT INTO q VALUES (?)", [(h,) for h in hashes])
        rows = self.db.execute(SKETCH_OVERLAP).fetchall()
        return [(r[0], r[1], r[2]) for r in rows]

    @guarded
    def richness(self, opinion_id: str) -> int:
        row = self.db.execute("SELECT richness FROM opinions WHERE id=?", (opinion_id,)).fetchone()
        return row[0] if row else 0

    @guarded
    def opinion(self, opinion_id: str) -> Opinion:
        row = self.db.execute(f"SELECT {OPINION_COLS} FROM opinions WHERE id=?", (opinion_id,)).fetchone()
        if row is None:
            raise KeyError(opinion_id)
        cite, body = row[:N_CITE], row[N_CITE:N_CITE + len(BODY_SUMMED)]
        if digest(cite) != row[-2] or digest(body) != row[-1]:
            raise self._damaged(f"opinion {opinion_id} ({row[1] or row[2] or 'no case name'})")
        try:
            return opinion_from_row(row, self.roles_of(opinion_id))
        except (ValueError, TypeError, KeyError) as e:
            raise self._damaged(f"opinion {opinion_id} ({type(e).__name__} reading it)") from None

    @guarded
    def opinions(self) -> Iterator[tuple[str, Meta, int]]:
        """(id, meta, passage count) for every opinion, ordered by case name."""
        cols = ", ".join(f"o.{c}" for c in CITE_SUMMED)
        for row in self.db.execute(
            f"SELECT {cols}, o.cite_sum, (SELECT COUNT(*) FROM passages p WHERE p.opinion_id=o.id) FROM opinions o"
            " ORDER BY o.case_name, o.id"
        ):
            if digest(row[:N_CITE]) != row[N_CITE]:
                raise self._damaged(f"the metadata of opinion {row[0]}")
            yield row[0], meta_from_json(row[N_CITE - 1]), row[-1]

    @guarded
    def passage(self, passage_id: int) -> Passage:
        out = self.passages([passage_id])
        if not out:
            raise KeyError(passage_id)
        return out[0]

    @guarded
    def passages(self, ids: Iterable[int] | None = None) -> list[Passage]:
        """Passages by id, in the order given (all passages, by id, when ``ids`` is None)."""
        sql = f"SELECT {PASSAGE_COLS} FROM passages p JOIN opinions o ON o.id = p.opinion_id"
        if ids is None:
            return [self._passage(r) for r in self.db.execute(sql + " ORDER BY p.id")]
        ids = [int(i) for i in ids]
        found: dict[int, Passage] = {}
        for i in range(0, len(ids), 900):
            chunk = ids[i : i + 900]
            q = sql + f" WHERE p.id IN ({','.join('?' * len(chunk))})"
            found.update((r[0], self._passage(r)) for r in self.db.execute(q, chunk))
        return [found[i] for i in ids if i in found]

    @guarded
    def iter_passages(self, after_id: int = 0, batch: int = 2000) -> Iterator[list[Passage]]:
        """All passages with id > after_id, in id order, in batches (for building indexes)."""
        sql = f"SELECT {PASSAGE_COLS} FROM passages p JOIN opinions o ON o.id = p.opinion_id WHERE p.id > ?" \
              " ORDER BY p.id LIMIT ?"
        last = after_id
        while True:
            rows = self.db.execute(sql, (last, batch)).fetchall()
            if not rows:
                return
            yield [self._passage(r) for r in rows]
            last = rows[-1][0]

    @guarded
    def passage_owners(self) -> Iterator[tuple[int, str, str]]:
        """(passage id, opinion id, text) of every passage, by id (for fingerprints and term statistics),
        each verified against its checksum."""
        rows = self.db.execute(f"SELECT {', '.join(PASSAGE_SUMMED)}, checksum FROM passages ORDER BY id").fetchall()
        for r in rows:
            if digest(r[:N_PASSAGE]) != r[N_PASSAGE]:
                raise self._damaged(f"passage {r[0]} (of opinion {r[1]})")
        return iter([(r[0], r[1], r[3]) for r in rows])

    def _passage(self, r) -> Passage:
        if digest(r[:N_PASSAGE]) != r[N_PASSAGE]:
            raise self._damaged(f"passage {r[0]} (of opinion {r[1]})")
        if digest(r[N_PASSAGE + 1:N_PASSAGE + 1 + N_CITE]) != r[-1]:
            raise self._damaged(f"the metadata of opinion {r[1]}")
        return passage_from_row(r)

    @guarded
    def courts(self) -> list[tuple[str, str]]:
        """The distinct (court_id, court) pairs of the library's opinions."""
        return [(r[0], r[1]) for r in self.db.execute(
            "SELECT DISTINCT court_id, court FROM opinions ORDER BY court_id, court")]

    @guarded
    def passage_ids_where(self, courts: Iterable[str] = (), years: tuple[int | None, int | None] | None = None,
                          case: str = "", opinions: Iterable[str] | None = None, part: str | None = None,
                          author: str | None = None) -> list[int]:
        """Ids of the passages whose opinion is in one of ``courts`` (id or name, any case), within
        ``years`` (lo, hi; either may be None) and, with ``case``, whose case name contains it or whose
        citation (spaces and dots ignored) does; of these ``opinions`` (ids), in this ``part``
        ("concurrence" takes "concurrence in part" too) and by this ``author`` (any case), when given."""
        where, args = [], []
        if opinions is not None:
            opinions = list(opinions)
            where.append(f"p.opinion_id IN ({','.join('?' * len(opinions))})")
            args += opinions
        for col, value in (("p.part LIKE ?", part and part + "%"), ("lower(p.author) = ?", author and author.lower())):
            if value:
                where.append(col)
                args.append(value)
        low = [str(c).strip().lower() for c in courts]
        if low:
            marks = ",".join("?" * len(low))
            where.append(f"(lower(o.court_id) IN ({marks}) OR lower(o.court) IN ({marks}))")
            args += low + low
        lo, hi = years or (None, None)
        if lo is not None:
            where.append("o.year >= ?")
            args.append(lo)
        if hi is not None:
            where.append("o.year <= ?")
            args.append(hi)
        if case:
            where.append(_CASE_MATCH)
            args += _case_args(case)
        sql = "SELECT p.id FROM passages p JOIN opinions o ON o.id = p.opinion_id"
        return [r[0] for r in self.db.execute(sql + (" WHERE " + " AND ".join(where) if where else ""), args)]

    @guarded
    def has_case(self, case: str) -> bool:
        """Some opinion's case name contains ``case``, or its citation does (spaces and dots ignored)."""
        return self.db.execute(f"SELECT 1 FROM opinions o WHERE {_CASE_MATCH} LIMIT 1",
                               _case_args(case)).fetchone() is not None

    @guarded
    def has_passages(self) -> bool:
        return self.db.execute("SELECT 1 FROM passages LIMIT 1").fetchone() is not None

    @guarded
    def passage_ids(self) -> list[int]:
        return [r[0] for r in self.db.execute("SELECT id FROM passages ORDER BY id")]

    @guarded
    def stats(self) -> dict:
        q = lambda sql: self.db.execute(sql).fetchone()[0]  # noqa: E731
        footnotes = pages = 0
        for oid, structure in self.db.execute("SELECT id, structure FROM opinions"):
            try:
                s = json.loads(structure)
                footnotes += len(s["footnotes"])
                pages += len({p for _, p in s["pages"]})
            except (ValueError, TypeError, KeyError):
                raise self._damaged(f"the structure of opinion {oid}") from None
        return {
            "opinions": q("SELECT COUNT(*) FROM opinions"),
            "passages": q("SELECT COUNT(*) FROM passages"),
            "pages": pages,
            "footnotes": footnotes,
            "tokens": q("SELECT COALESCE(SUM(n_tokens), 0) FROM passages"),
            "duplicates_skipped": q("SELECT COUNT(*) FROM duplicates"),
            "files_seen": q("SELECT COUNT(*) FROM files"),
        }


# The case filter: a part of the case name, or of the citation or a parallel citation (spaces and dots
# ignored) - never of the rest of the stored metadata (its keys, court id, source URL...).
_CITE_MATCH = "instr(replace(replace(lower({}), ' ', ''), '.', ''), ?) > 0"
_CASE_MATCH = (f"(instr(lower(o.case_name), ?) > 0 OR {_CITE_MATCH.format('o.citation')} OR EXISTS (SELECT 1 FROM "
               f"json_each(o.meta, '$.parallel_citations') j WHERE {_CITE_MATCH.format('j.value')}))")


SKETCH_OVERLAP = (
    "SELECT m.opinion_id, m.shared, (SELECT COUNT(*) FROM sketch t WHERE t.opinion_id = m.opinion_id) FROM"
    " (SELECT s.opinion_id, COUNT(*) AS shared FROM q CROSS JOIN sketch s ON s.hash = q.hash"
    " GROUP BY s.opinion_id ORDER BY shared DESC, s.opinion_id LIMIT 5) m ORDER BY m.shared DESC, m.opinion_id")


def _case_args(case: str) -> list[str]:
    cite = re.sub(r"[\s.]", "", case.lower())
    return [case.lower(), cite, cite]


class _Tx:
    def __init__(self, store: Store):
        self.store, self.db = store, store.db

    def __enter__(self):
        try:
            self.db.execute("BEGIN IMMEDIATE")
        except sqlite3.DatabaseError as e:
            raise self.store._failure(e) from None
        return self.db

    def __exit__(self, exc_type, *_):
        try:
            if exc_type:
                self.db.execute("ROLLBACK")
            else:
                self.db.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key='generation'")
                self.db.execute("COMMIT")
        except sqlite3.DatabaseError as e:
            if exc_type:
                return False  # the original error is the one to report
            if self.db.in_transaction:
                self.db.execute("ROLLBACK")
            raise self.store._failure(e) from None
        return False
