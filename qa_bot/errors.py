"""The documented errors. Every error a user can cause is a ``QaBotError`` with a one-line message
that names the file or field and why; the CLI prints ``error: <message>`` and exits non-zero."""

from __future__ import annotations


class QaBotError(Exception):
    """Base class: anything the CLI/UI turns into a message instead of a traceback."""


class InputError(QaBotError):
    """A file (or an entry inside it) could not be read as an opinion."""

    def __init__(self, source: str, reason: str):
        self.source = str(source)
        self.reason = reason
        super().__init__(f"{self.source}: {reason}")


class UnknownFormat(InputError):
    def __init__(self, source: str, formats: list[str] | tuple[str, ...]):
        super().__init__(source, "unknown format; known formats: " + ", ".join(formats))


class BadQuestion(QaBotError):
    """The question or a search option is unusable (empty, too long, k <= 0, unknown filter...)."""


class BadSetting(BadQuestion):
    """A setting or option of the wrong type, out of its range, or unknown (the message lists what is valid)."""


class IndexNotFound(QaBotError):
    pass


class IndexCorrupt(QaBotError):
    """A library file is damaged, missing a part, or from another library or version; the message names
    the file and the command that repairs it."""


class StoreCorrupt(IndexCorrupt):
    """``library.sqlite`` itself is damaged (unreadable pages, missing tables, text that fails its
    checksum) or is not the store the search indexes were built from."""


class IndexMismatch(QaBotError):
    """The index was built with other settings (e.g. another embedding model) than those asked for."""


class AnswerError(QaBotError):
    """The answerer could not produce a verified answer (LLM endpoint down, timeout, garbage)."""


def choices(name: str, value: object, valid: list[str] | tuple[str, ...]) -> QaBotError:
    """eyecite-style error that lists the valid choices."""
    return BadQuestion(f"unknown {name} {value!r}; valid choices: {', '.join(valid)}")
