"""Text rules every stage shares, each defined once:

* ``nfkc`` / ``fold`` / ``normalize``: one normaliser in three steps. ``nfkc`` is Unicode NFKC
  (ligatures, full-width forms, non-breaking spaces to their plain forms); ``fold`` adds lower case, the
  form words are compared in (BM25 tokens, near-duplicate sketches); ``normalize`` adds curly quotes and
  dashes to ASCII and every run of whitespace to one space, ends stripped: the matching rule of the
  evaluation format (eval-format.md), also used to compare quotations when answers are verified.
* ``stopwords()``: the one stop-word list, Lucene's English list as bm25s ships it. The BM25 index
  leaves these words out (so changing the list changes every index's tokens), and the evaluation's
  support judge ignores them.
* ``decode_utf8``: the bytes of a text file as text (UTF-8, a BOM allowed), or an ``InputError`` that
  names the file and the first byte that is not UTF-8, so the user can re-save it.
* ``printable``: a file name (or a message holding one) safe to store and to print: a byte of the name
  that is not UTF-8 as ``\\xNN`` (it would not encode), control and bidi characters escaped (an ANSI
  sequence in a name must not reach the terminal, nor a right-to-left override reorder a report line).
"""

from __future__ import annotations

import functools
import re
import unicodedata

from .errors import InputError

_TO_ASCII = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "\u0060": "'", "\u00b4": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"', "\u00ab": '"', "\u00bb": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-", "\u2212": "-",
    "\u00ad": None,  # soft hyphen: invisible, drop
})
_WS = re.compile(r"\s+")


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def fold(text: str) -> str:
    """NFKC and lower case."""
    return nfkc(text).lower()


@functools.lru_cache(maxsize=65536)
def normalize(text: str) -> str:
    """NFKC, lower case, curly quotes/dashes to ASCII, whitespace runs to one space (ends stripped)."""
    return _WS.sub(" ", fold(text).translate(_TO_ASCII)).strip()


@functools.lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    """Lucene's English stop words (``bm25s.stopwords.STOPWORDS_EN``), lower case."""
    from bm25s.stopwords import STOPWORDS_EN

    return frozenset(STOPWORDS_EN)


def decode_utf8(data: bytes, source: str) -> str:
    """``data`` decoded as UTF-8 (a BOM allowed); an ``InputError`` for ``source`` when it is binary
    (a NUL byte in its first 8 KiB) or not UTF-8."""
    if b"\x00" in data[:8192]:
        raise InputError(source, "binary file, not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise InputError(source, f"not UTF-8 text (byte 0x{data[e.start]:02x} at offset {e.start}); "
                                 "re-save it as UTF-8") from None


_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def printable(text: str) -> str:
    """See the module docstring."""
    def escape(m: re.Match) -> str:
        c = ord(m.group())
        if 0xDC80 <= c <= 0xDCFF:  # a byte os.fsdecode could not decode (surrogateescape)
            return f"\\x{c - 0xDC00:02x}"
        return f"\\x{c:02x}" if c < 0x100 else f"\\u{c:04x}"

    return _UNPRINTABLE.sub(escape, text)
