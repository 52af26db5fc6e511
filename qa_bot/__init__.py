"""qa_bot: offline, citation-anchored question answering over court opinions."""

from . import offline  # noqa: F401  (offline environment first)
from .errors import QaBotError
from .library import Library
from .settings import Settings
from .types import CANNOT_ANSWER, Answer, Citation, Hit, Opinion, Passage

__all__ = ["Library", "Settings", "QaBotError", "Answer", "Citation", "Hit", "Opinion", "Passage", "CANNOT_ANSWER"]
__version__ = "0.1.0"
