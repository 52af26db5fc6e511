"""The passage store: one SQLite file per index folder (``<index>/library.sqlite``).

Tables: ``opinions`` (metadata, clean text, structure as JSON), ``passages`` (integer ids that the
vector and lexical indexes are keyed by), ``files`` (content hashes already seen, for idempotent
ingest), ``duplicates`` (what was skipped and why), ``sketch`` (shingle hashes for near-duplicate
detection) and ``meta`` (schema version, settings). Every change is one transaction: an interrupted
ingest leaves the previous state intact.
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
from dataclasses import asdict
from pathlib import Path
from typing import Iterable, Iterator

from ..errors import IndexCorrupt
from ..types import CitedAuthority, Footnote, Meta, Opinion, Paragraph, Part, Passage

SCHEMA_VERSION = 1
DB_NAME = "library.sqlite"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS opinions (
    id TEXT PRIMARY KEY,
    case_name TEXT NOT NULL DEFAULT '', citation TEXT NOT NULL DEFAULT '',
    court TEXT NOT NULL DEFAULT '', court_id TEXT NOT NULL DEFAULT '', year INTEGER,
    meta TEXT NOT NULL, text TEXT NOT NULL, structure TEXT NOT NULL,
    source TEXT NOT NULL DEFAULT '', format TEXT NOT NULL DEFAULT '', sha256 TEXT NOT NULL DEFAULT '',
    richness INTEGER NOT NULL DEFAULT 0, n_tokens INTEGER NOT NULL DEFAULT 0,
    added_at TEXT NOT NULL DEFAULT (datetime('now'))
);
CREATE TABLE IF NOT EXISTS passages (
    id INTEGER PRIMARY KEY,
    opinion_id TEXT NOT NULL REFERENCES opinions(id) ON DELETE CASCADE,
    ordinal INTEGER NOT NULL, text TEXT NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL,
    section TEXT NOT NULL DEFAULT '', part TEXT NOT NULL DEFAULT 'majority', author TEXT,
    page_start INTEGER, page_end INTEGER, footnote TEXT, n_tokens INTEGER NOT NULL DEFAULT 0,
    UNIQUE (opinion_id, ordinal)
);
CREATE INDEX IF NOT EXISTS passages_opinion ON passages(opinion_id);
CREATE TABLE IF NOT EXISTS files (
    sha256 TEXT PRIMARY KEY, source TEXT NOT NULL, opinion_id TEXT, status TEXT NOT NULL,
    seen_at TEXT NOT NULL DEFAULT (datetime('now'))
);
CREATE TABLE IF NOT EXISTS duplicates (
    source TEXT NOT NULL, sha256 TEXT NOT NULL, duplicate_of TEXT NOT NULL, reason TEXT NOT NULL,
    at TEXT NOT NULL DEFAULT (datetime('now'))
);
CREATE TABLE IF NOT EXISTS sketch (hash INTEGER NOT NULL, opinion_id TEXT NOT NULL REFERENCES opinions(id) ON DELETE CASCADE);
CREATE INDEX IF NOT EXISTS sketch_hash ON sketch(hash);
CREATE INDEX IF NOT EXISTS sketch_opinion ON sketch(opinion_id);
"""

_PASSAGE_COLS = 'p.id, p.opinion_id, p.ordinal, p.text, p.start, p."end", p.section, p.part, p.author, ' \
    "p.page_start, p.page_end, p.footnote, p.n_tokens, o.case_name, o.citation, o.court, o.court_id, o.year"


class Store:
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
            self.db.executescript(_SCHEMA)
            version = self.get_meta("schema_version")
            if version is None:
                self.set_meta("schema_version", str(SCHEMA_VERSION))
            elif int(version) != SCHEMA_VERSION:
                raise IndexCorrupt(f"{self.path}: schema version {version}, this qa-bot reads {SCHEMA_VERSION}")
        except sqlite3.DatabaseError as e:
            self.close()
            raise IndexCorrupt(f"{self.path}: not a readable library database ({e})") from None

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
        """``with store.transaction(): ...`` -- BEGIN IMMEDIATE ... COMMIT, ROLLBACK on error."""
        return _Tx(self.db)

    def get_meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))

    # -- writes (call inside one transaction per opinion) -----------------------------------------
    def add_opinion(self, op: Opinion, passages: Iterable[Passage], richness: int = 0,
                    sketch: Iterable[int] = ()) -> list[int]:
        """Insert an opinion with its passages; returns the new passage ids in ordinal order."""
        structure = {
            "pages": op.pages,
            "paragraphs": [asdict(p) for p in op.paragraphs],
            "footnotes": [asdict(f) for f in op.footnotes],
            "parts": [asdict(p) for p in op.parts],
            "cites": [asdict(c) for c in op.cites],
        }
        m = op.meta
        passages = list(passages)
        self.db.execute(
            "INSERT INTO opinions(id, case_name, citation, court, court_id, year, meta, text, structure, source,"
            " format, sha256, richness, n_tokens) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (op.id, m.case_name, m.citation, m.court, m.court_id, m.year, json.dumps(asdict(m)), op.text,
             json.dumps(structure), op.source, op.format, op.sha256, richness, sum(p.n_tokens for p in passages)),
        )
        ids = []
        for p in passages:
            cur = self.db.execute(
                'INSERT INTO passages(opinion_id, ordinal, text, start, "end", section, part, author, page_start,'
                " page_end, footnote, n_tokens) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                (op.id, p.ordinal, p.text, p.start, p.end, p.section, p.part, p.author, p.page_start,
                 p.page_end, p.footnote, p.n_tokens),
            )
            ids.append(cur.lastrowid)
        self.db.executemany("INSERT INTO sketch(hash, opinion_id) VALUES (?, ?)", [(h, op.id) for h in set(sketch)])
        return ids

    def remove_opinion(self, opinion_id: str) -> list[int]:
        """Delete an opinion and its passages; returns the removed passage ids (for the indexes)."""
        ids = [r[0] for r in self.db.execute("SELECT id FROM passages WHERE opinion_id=?", (opinion_id,))]
        self.db.execute("DELETE FROM opinions WHERE id=?", (opinion_id,))
        return ids

    def record_file(self, sha256: str, source: str, status: str, opinion_id: str | None = None) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO files(sha256, source, opinion_id, status) VALUES (?,?,?,?)",
            (sha256, source, opinion_id, status),
        )

    def record_duplicate(self, source: str, sha256: str, duplicate_of: str, reason: str) -> None:
        self.db.execute(
            "INSERT INTO duplicates(source, sha256, duplicate_of, reason) VALUES (?,?,?,?)",
            (source, sha256, duplicate_of, reason),
        )

    def forget_files(self, opinion_id: str) -> None:
        """Drop the ``files`` rows of an opinion (its file changed: the new bytes are ingested anew)."""
        self.db.execute("DELETE FROM files WHERE opinion_id=?", (opinion_id,))

    def repoint_files(self, old_id: str, new_id: str) -> None:
        """Files that gave ``old_id`` now count as duplicates of ``new_id`` (a richer version replaced it)."""
        self.db.execute("UPDATE files SET status='duplicate', opinion_id=? WHERE opinion_id=?", (new_id, old_id))

    # -- reads ------------------------------------------------------------------------------------
    def ingested_from(self, source: str) -> str | None:
        """The opinion id an earlier ingest of ``source`` (a path, or "path#entry") stored, if any."""
        row = self.db.execute("SELECT opinion_id FROM files WHERE source=? AND status='ingested'"
                              " AND opinion_id IS NOT NULL", (source,)).fetchone()
        return row[0] if row else None

    def opinion_summary(self, opinion_id: str) -> dict | None:
        """case_name, citation, source and sha256 of a stored opinion (None if absent), without its text."""
        row = self.db.execute("SELECT case_name, citation, source, sha256 FROM opinions WHERE id=?",
                              (opinion_id,)).fetchone()
        return dict(zip(("case_name", "citation", "source", "sha256"), row)) if row else None

    def seen(self, sha256: str) -> tuple[str, str | None] | None:
        """(status, opinion_id) if these exact bytes were ingested before."""
        row = self.db.execute("SELECT status, opinion_id FROM files WHERE sha256=?", (sha256,)).fetchone()
        return (row[0], row[1]) if row else None

    def has_opinion(self, opinion_id: str) -> bool:
        return self.db.execute("SELECT 1 FROM opinions WHERE id=?", (opinion_id,)).fetchone() is not None

    def sketch_overlap(self, hashes: Iterable[int]) -> list[tuple[str, int, int]]:
        """Opinions sharing sketch hashes: (opinion_id, shared, that opinion's sketch size), most shared first."""
        hashes = list(set(hashes))
        if not hashes:
            return []
        self.db.execute("CREATE TEMP TABLE IF NOT EXISTS q(hash INTEGER)")
        self.db.execute("DELETE FROM q")
        self.db.executemany("INSERT INTO q VALUES (?)", [(h,) for h in hashes])
        rows = self.db.execute(
            "SELECT s.opinion_id, COUNT(*) AS shared, (SELECT COUNT(*) FROM sketch t WHERE t.opinion_id=s.opinion_id)"
            " FROM sketch s JOIN q ON q.hash = s.hash GROUP BY s.opinion_id ORDER BY shared DESC LIMIT 5"
        ).fetchall()
        return [(r[0], r[1], r[2]) for r in rows]

    def richness(self, opinion_id: str) -> int:
        row = self.db.execute("SELECT richness FROM opinions WHERE id=?", (opinion_id,)).fetchone()
        return row[0] if row else 0

    def opinion(self, opinion_id: str) -> Opinion:
        row = self.db.execute(
            "SELECT id, meta, text, structure, source, format, sha256 FROM opinions WHERE id=?", (opinion_id,)
        ).fetchone()
        if row is None:
            raise KeyError(opinion_id)
        return _opinion_from_row(row)

    def opinions(self) -> Iterator[tuple[str, Meta, int]]:
        """(id, meta, passage count) for every opinion, ordered by case name."""
        for oid, meta, n in self.db.execute(
            "SELECT o.id, o.meta, (SELECT COUNT(*) FROM passages p WHERE p.opinion_id=o.id) FROM opinions o"
            " ORDER BY o.case_name, o.id"
        ):
            yield oid, _meta(meta), n

    def passage(self, passage_id: int) -> Passage:
        out = self.passages([passage_id])
        if not out:
            raise KeyError(passage_id)
        return out[0]

    def passages(self, ids: Iterable[int] | None = None) -> list[Passage]:
        """Passages by id, in the order given (all passages, by id, when ``ids`` is None)."""
        sql = f"SELECT {_PASSAGE_COLS} FROM passages p JOIN opinions o ON o.id = p.opinion_id"
        if ids is None:
            return [_passage(r) for r in self.db.execute(sql + " ORDER BY p.id")]
        ids = [int(i) for i in ids]
        found: dict[int, Passage] = {}
        for i in range(0, len(ids), 900):
            chunk = ids[i : i + 900]
            q = sql + f" WHERE p.id IN ({','.join('?' * len(chunk))})"
            found.update((r[0], _passage(r)) for r in self.db.execute(q, chunk))
        return [found[i] for i in ids if i in found]

    def iter_passages(self, after_id: int = 0, batch: int = 2000) -> Iterator[list[Passage]]:
        """All passages with id > after_id, in id order, in batches (for building indexes)."""
        sql = f"SELECT {_PASSAGE_COLS} FROM passages p JOIN opinions o ON o.id = p.opinion_id WHERE p.id > ?" \
              " ORDER BY p.id LIMIT ?"
        last = after_id
        while True:
            rows = self.db.execute(sql, (last, batch)).fetchall()
            if not rows:
                return
            yield [_passage(r) for r in rows]
            last = rows[-1][0]

    def passage_owners(self) -> Iterator[tuple[int, str, str]]:
        """(passage id, opinion id, text) of every passage, by id (for fingerprints and term statistics)."""
        return iter(self.db.execute("SELECT id, opinion_id, text FROM passages ORDER BY id").fetchall())

    def courts(self) -> list[tuple[str, str]]:
        """The distinct (court_id, court) pairs of the library's opinions."""
        return [(r[0], r[1]) for r in self.db.execute(
            "SELECT DISTINCT court_id, court FROM opinions ORDER BY court_id, court")]

    def passage_ids_where(self, courts: Iterable[str] = (), years: tuple[int | None, int | None] | None = None,
                          case: str = "") -> list[int]:
        """Ids of the passages whose opinion is in one of ``courts`` (id or name, any case), within
        ``years`` (lo, hi; either may be None) and, with ``case``, whose case name contains it or whose
        citation (spaces and dots ignored) does."""
        where, args = [], []
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

    def has_case(self, case: str) -> bool:
        """Some opinion's case name contains ``case``, or its citation does (spaces and dots ignored)."""
        return self.db.execute(f"SELECT 1 FROM opinions o WHERE {_CASE_MATCH} LIMIT 1",
                               _case_args(case)).fetchone() is not None

    def passage_ids(self) -> list[int]:
        return [r[0] for r in self.db.execute("SELECT id FROM passages ORDER BY id")]

    def stats(self) -> dict:
        q = lambda sql: self.db.execute(sql).fetchone()[0]  # noqa: E731
        footnotes = pages = 0
        for (structure,) in self.db.execute("SELECT structure FROM opinions"):
            s = json.loads(structure)
            footnotes += len(s["footnotes"])
            pages += len({p for _, p in s["pages"]})
        return {
            "opinions": q("SELECT COUNT(*) FROM opinions"),
            "passages": q("SELECT COUNT(*) FROM passages"),
            "pages": pages,
            "footnotes": footnotes,
            "tokens": q("SELECT COALESCE(SUM(n_tokens), 0) FROM passages"),
            "duplicates_skipped": q("SELECT COUNT(*) FROM duplicates"),
            "files_seen": q("SELECT COUNT(*) FROM files"),
        }


_CASE_MATCH = ("(instr(lower(o.case_name), ?) > 0 OR instr(replace(replace(lower(o.citation), ' ', ''), '.', ''), ?) > 0"
               " OR instr(replace(replace(lower(o.meta), ' ', ''), '.', ''), ?) > 0)")


def _case_args(case: str) -> list[str]:
    cite = re.sub(r"[\s.]", "", case.lower())
    return [case.lower(), cite, '"' + cite + '"']


class _Tx:
    def __init__(self, db: sqlite3.Connection):
        self.db = db

    def __enter__(self):
        self.db.execute("BEGIN IMMEDIATE")
        return self.db

    def __exit__(self, exc_type, *_):
        self.db.execute("ROLLBACK" if exc_type else "COMMIT")
        return False


def _meta(js: str) -> Meta:
    d = json.loads(js)
    d["parallel_citations"] = tuple(d.get("parallel_citations", ()))
    return Meta(**d)


def _opinion_from_row(row) -> Opinion:
    oid, meta, text, structure, source, fmt, sha = row
    s = json.loads(structure)
    return Opinion(
        id=oid, meta=_meta(meta), text=text,
        pages=tuple((int(o), int(p)) for o, p in s["pages"]),
        paragraphs=tuple(Paragraph(**p) for p in s["paragraphs"]),
        footnotes=tuple(Footnote(**f) for f in s["footnotes"]),
        parts=tuple(Part(**p) for p in s["parts"]),
        cites=tuple(CitedAuthority(**c) for c in s["cites"]),
        source=source, format=fmt, sha256=sha,
    )


def _passage(r) -> Passage:
    return Passage(
        id=r[0], opinion_id=r[1], ordinal=r[2], text=r[3], start=r[4], end=r[5], section=r[6], part=r[7],
        author=r[8], page_start=r[9], page_end=r[10], footnote=r[11], n_tokens=r[12], case_name=r[13],
        citation=r[14], court=r[15], court_id=r[16], year=r[17],
    )
