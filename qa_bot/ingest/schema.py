"""The store's schema: its tables, ordered migrations, the checksums of stored text, and rows -> records.

``library.sqlite`` records its schema version in ``meta``. ``upgrade(db, path)`` brings a store of any
older version up to ``SCHEMA_VERSION`` by applying ``MIGRATIONS`` in order, all in one transaction (an
interrupted upgrade leaves the old version intact), and refuses a store written by a newer qa-bot. A
new store is created at version 1 (``SCHEMA_V1``, never edited) and upgraded by the same migrations as
an old one, so the two end identical.

To change the schema: write ``_vN(db)`` (version N-1 -> N), append it to ``MIGRATIONS`` and bump
``SCHEMA_VERSION``. Never edit a released migration; a migration runs inside the transaction, so it
must not COMMIT.

Version 3 adds ``sentence_roles`` (``_v3``). Version 2: checksums of what answers quote. A flipped bit in a page of the file can change quoted
text ("jury" -> "kury") while SQLite's own integrity check still says ok, so every opinion carries
``cite_sum`` (its id and citation fields: what a pin cite prints) and ``body_sum`` (text, structure,
source), every passage a ``checksum`` of its row; ``Store`` verifies them whenever it hands text out.
They are 64-bit BLAKE2b digests: a check against damage, not against someone who edits the file on
purpose. The migration computes them from the rows as they are (a store damaged before the upgrade is
not detected by them). It also gives the store a random ``store_id``, which the search indexes record,
so indexes are never used with (or synced against) a store that was replaced or emptied.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import json
import sqlite3
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable, Iterable

from ..errors import StoreCorrupt
from ..types import CitedAuthority, Footnote, Meta, Opinion, Paragraph, Part, Passage, SentenceRole

SCHEMA_V1 = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE opinions (
    id TEXT PRIMARY KEY,
    case_name TEXT NOT NULL DEFAULT '', citation TEXT NOT NULL DEFAULT '',
    court TEXT NOT NULL DEFAULT '', court_id TEXT NOT NULL DEFAULT '', year INTEGER,
    meta TEXT NOT NULL, text TEXT NOT NULL, structure TEXT NOT NULL,
    source TEXT NOT NULL DEFAULT '', format TEXT NOT NULL DEFAULT '', sha256 TEXT NOT NULL DEFAULT '',
    richness INTEGER NOT NULL DEFAULT 0, n_tokens INTEGER NOT NULL DEFAULT 0,
    added_at TEXT NOT NULL DEFAULT (datetime('now'))
);
CREATE TABLE passages (
    id INTEGER PRIMARY KEY,
    opinion_id TEXT NOT NULL REFERENCES opinions(id) ON DELETE CASCADE,
    ordinal INTEGER NOT NULL, text TEXT NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL,
    section TEXT NOT NULL DEFAULT '', part TEXT NOT NULL DEFAULT 'majority', author TEXT,
    page_start INTEGER, page_end INTEGER, footnote TEXT, n_tokens INTEGER NOT NULL DEFAULT 0,
    UNIQUE (opinion_id, ordinal)
);
CREATE INDEX passages_opinion ON passages(opinion_id);
CREATE TABLE files (
    sha256 TEXT PRIMARY KEY, source TEXT NOT NULL, opinion_id TEXT, status TEXT NOT NULL,
    seen_at TEXT NOT NULL DEFAULT (datetime('now'))
);
CREATE TABLE duplicates (
    source TEXT NOT NULL, sha256 TEXT NOT NULL, duplicate_of TEXT NOT NULL, reason TEXT NOT NULL,
    at TEXT NOT NULL DEFAULT (datetime('now'))
);
CREATE TABLE sketch (hash INTEGER NOT NULL, opinion_id TEXT NOT NULL REFERENCES opinions(id) ON DELETE CASCADE);
CREATE INDEX sketch_hash ON sketch(hash);
CREATE INDEX sketch_opinion ON sketch(opinion_id);
"""
TABLES = ("meta", "opinions", "passages", "files", "duplicates", "sketch")

# The summed columns, in order. Changing a list means a migration that recomputes the sums.
CITE_SUMMED = ("id", "case_name", "citation", "court", "court_id", "year", "meta")
BODY_SUMMED = ("text", "structure", "source", "format", "sha256")
PASSAGE_SUMMED = ("id", "opinion_id", "ordinal", "text", "start", '"end"', "section", "part", "author",
                  "page_start", "page_end", "footnote", "n_tokens")


# A passage row: its summed columns and checksum, then its opinion's cite fields and cite checksum.
PASSAGE_COLS = ", ".join([f"p.{c}" for c in PASSAGE_SUMMED] + ["p.checksum"] + [f"o.{c}" for c in CITE_SUMMED]
                          + ["o.cite_sum"])
N_PASSAGE, N_CITE = len(PASSAGE_SUMMED), len(CITE_SUMMED)
OPINION_COLS = ", ".join(CITE_SUMMED + BODY_SUMMED + ("cite_sum", "body_sum"))


def summed(values: Iterable[object]) -> bytes:
    """What ``digest`` hashes: each value type-tagged and length-prefixed, so no two rows collide by
    shifting text from one column to the next."""
    out = []
    for v in values:
        if v is None:
            out.append(b"N")
            continue
        b = str(v).encode("utf-8", "surrogatepass")
        out.append((b"i" if isinstance(v, int) else b"s") + len(b).to_bytes(8, "little") + b)
    return b"".join(out)


def digest(values: Iterable[object], tail: bytes = b"") -> str:
    """64-bit BLAKE2b of a row's values, as 16 hex digits; ``tail``: ``summed`` of the row's further
    values, computed before (a passage's row but its id, which only the store knows)."""
    return hashlib.blake2b(summed(values) + tail, digest_size=8).hexdigest()


# -- records -> rows (pure: computed where the document is prepared, in a worker process) ---------
@dataclass(frozen=True)
class OpinionRows:
    """An opinion's rows as ``Store.add_rows`` inserts them, checksums included, so the one process that
    writes only writes. Passages lack their ids (the store gives them): each has its row without the id
    and ``summed`` of that row, from which the store finishes its checksum."""

    opinion: tuple  # OPINION_COLS, richness, n_tokens
    passages: tuple[tuple[tuple, bytes], ...]  # (PASSAGE_SUMMED but id, summed of it), in ordinal order
    sketch: tuple[int, ...]
    roles: tuple[SentenceRole, ...]

    @property
    def id(self) -> str:
        return self.opinion[0]


def opinion_rows(op: Opinion, passages: Iterable[Passage], richness: int = 0, sketch: Iterable[int] = ()) -> OpinionRows:
    structure = {
        "pages": op.pages,
        "paragraphs": [asdict(p) for p in op.paragraphs],
        "footnotes": [asdict(f) for f in op.footnotes],
        "parts": [asdict(p) for p in op.parts],
        "cites": [asdict(c) for c in op.cites],
    }
    m = op.meta
    passages = list(passages)
    cite = (op.id, m.case_name, m.citation, m.court, m.court_id, m.year, json.dumps(asdict(m)))
    body = (op.text, json.dumps(structure), op.source, op.format, op.sha256)
    rows = [(op.id, p.ordinal, p.text, p.start, p.end, p.section, p.part, p.author, p.page_start, p.page_end,
             p.footnote, p.n_tokens) for p in passages]
    return OpinionRows(cite + body + (digest(cite), digest(body), richness, sum(p.n_tokens for p in passages)),
                       tuple((r, summed(r)) for r in rows), tuple(set(sketch)), tuple(op.roles))


def _v2(db: sqlite3.Connection) -> None:
    """Checksums of stored text, and a store id (see the module docstring)."""
    db.execute("ALTER TABLE opinions ADD COLUMN cite_sum TEXT NOT NULL DEFAULT ''")
    db.execute("ALTER TABLE opinions ADD COLUMN body_sum TEXT NOT NULL DEFAULT ''")
    db.execute("ALTER TABLE passages ADD COLUMN checksum TEXT NOT NULL DEFAULT ''")
    n_cite = len(CITE_SUMMED)
    rows = db.execute(f"SELECT {', '.join(CITE_SUMMED + BODY_SUMMED)} FROM opinions").fetchall()
    db.executemany("UPDATE opinions SET cite_sum=?, body_sum=? WHERE id=?",
                   [(digest(r[:n_cite]), digest(r[n_cite:]), r[0]) for r in rows])
    rows = db.execute(f"SELECT {', '.join(PASSAGE_SUMMED)} FROM passages").fetchall()
    db.executemany("UPDATE passages SET checksum=? WHERE id=?", [(digest(r), r[0]) for r in rows])
    db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('store_id', ?)", (uuid.uuid4().hex,))
    db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('generation', '0')")


def _v3(db: sqlite3.Connection) -> None:
    """Sentence roles (``qa_bot.ingest.roles``): one row per sentence. Opinions stored before have none
    until ``qa-bot sync`` tags them (``roles.retag``)."""
    db.execute('CREATE TABLE IF NOT EXISTS sentence_roles (opinion_id TEXT NOT NULL REFERENCES opinions(id) ON DELETE CASCADE, '
               'start INTEGER NOT NULL, "end" INTEGER NOT NULL, role TEXT NOT NULL, PRIMARY KEY (opinion_id, start)'
               ') WITHOUT ROWID')


MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (_v2, _v3)  # MIGRATIONS[i]: version i+1 -> i+2
SCHEMA_VERSION = 1 + len(MIGRATIONS)


def tables(db: sqlite3.Connection) -> set[str]:
    return {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}


def upgrade(db: sqlite3.Connection, path: Path) -> None:
    """Create (an empty file) or upgrade the schema in one transaction; see the module docstring."""
    db.execute("BEGIN IMMEDIATE")
    try:
        present = tables(db)
        if not present:
            for statement in SCHEMA_V1.split(";"):  # not executescript: it would COMMIT
                if statement.strip():
                    db.execute(statement)
            db.execute("INSERT INTO meta(key, value) VALUES ('schema_version', '1')")
        else:
            missing = [t for t in TABLES if t not in present]
            if missing:
                raise StoreCorrupt(f"{path}: table(s) {', '.join(missing)} missing; the library file is damaged. "
                                   f"Run qa-bot check --repair --index {path.parent}")
        row = db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        try:
            version = int(row[0])
            if version < 1:
                raise ValueError(version)
        except (TypeError, ValueError):
            raise StoreCorrupt(f"{path}: no readable schema version in its meta table; the library file is "
                               f"damaged. Run qa-bot check --repair --index {path.parent}"
                               ) from None
        if version > SCHEMA_VERSION:
            raise StoreCorrupt(f"{path}: written by a newer qa-bot (store schema {version}; this qa-bot reads "
                               f"up to {SCHEMA_VERSION}); upgrade qa-bot to open it")
        for migrate in MIGRATIONS[version - 1:]:
            migrate(db)
        if version != SCHEMA_VERSION:
            db.execute("UPDATE meta SET value=? WHERE key='schema_version'", (str(SCHEMA_VERSION),))
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


# -- rows -> records (after their checksums were verified) -----------------------------------------
def meta_from_json(js: str) -> Meta:
    d = json.loads(js)
    d["parallel_citations"] = tuple(d.get("parallel_citations", ()))
    return Meta(**d)


def opinion_from_row(row, roles: tuple[SentenceRole, ...] = ()) -> Opinion:
    oid, meta, (text, structure, source, fmt, sha) = row[0], row[N_CITE - 1], row[N_CITE:N_CITE + len(BODY_SUMMED)]
    s = json.loads(structure)
    return Opinion(
        id=oid, meta=meta_from_json(meta), text=text,
        pages=tuple((int(o), int(p)) for o, p in s["pages"]),
        paragraphs=tuple(Paragraph(**p) for p in s["paragraphs"]),
        footnotes=tuple(Footnote(**f) for f in s["footnotes"]),
        parts=tuple(Part(**p) for p in s["parts"]),
        cites=tuple(CitedAuthority(**c) for c in s["cites"]),
        source=source, format=fmt, sha256=sha, roles=roles,
    )


def passage_from_row(r) -> Passage:
    return Passage(
        id=r[0], opinion_id=r[1], ordinal=r[2], text=r[3], start=r[4], end=r[5], section=r[6], part=r[7],
        author=r[8], page_start=r[9], page_end=r[10], footnote=r[11], n_tokens=r[12], case_name=r[15],
        citation=r[16], court=r[17], court_id=r[18], year=r[19],
    )


def guarded(method):
    """A ``Store`` method that turns SQLite's reports of a damaged or busy file into messages naming it
    (``Store._failure``; generators too)."""
    if inspect.isgeneratorfunction(method):
        @functools.wraps(method)
        def gen(self, *args, **kwargs):
            try:
                yield from method(self, *args, **kwargs)
            except sqlite3.DatabaseError as e:
                raise self._failure(e) from None
        return gen

    @functools.wraps(method)
    def call(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except sqlite3.DatabaseError as e:
            raise self._failure(e) from None
    return call
