"""Plain data passed between pipeline stages.

Every stage of ``dedup`` (read → clean → normalise → fingerprint → index → cluster → report) takes and returns
these small dataclasses: :class:`Document` until it is fingerprinted, then :class:`DocInfo`, so each stage can be used and tested on its own.

>>> doc = Document(id="a.txt", text="Body", title="Title")
>>> doc.source is None
True
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class Removal:
    """A piece of text the cleaner removed, and the rule that removed it.

    ``rule`` is a short machine-readable label such as ``"pattern:ad-run"``, ``"site:example.com"``,
    ``"html:nav"`` or ``"html:link-dense"``.
    """

    text: str
    rule: str


@dataclass(slots=True)
class Document:
    """One news document as read from the input, and later its cleaned text.

    ``id`` is unique within a run; ``source`` is the site the document came from (its ``source`` field,
    else the host of its ``url``, else its folder). ``origin`` records where it was read
    (``path`` or ``path:line``) so errors and outputs can point back to it. ``meta`` keeps any extra
    JSONL fields so that writing the corpus back loses nothing.
    """

    id: str
    text: str
    title: str = ""
    url: str | None = None
    source: str | None = None
    date: str | None = None
    html: str | bytes | None = None  # raw page when the input was HTML; bytes keep the declared charset
    origin: str = ""
    path: str | None = None  # file the document was read from (None for stdin)
    root: str | None = None  # the command-line argument the file was found under
    meta: dict[str, Any] = field(default_factory=dict)
    removed: list[Removal] = field(default_factory=list)

    def __reduce__(self) -> tuple[type[Document], tuple[Any, ...]]:
        # Pickled as its constructor's arguments: a scan spools every page, and the default pickling of a
        # dataclass with slots (a state dict built field by field) costs twice as much both ways.
        return (
            Document,
            (
                self.id,
                self.text,
                self.title,
                self.url,
                self.source,
                self.date,
                self.html,
                self.origin,
                self.path,
                self.root,
                self.meta,
                self.removed,
            ),
        )

    @property
    def full_text(self) -> str:
        """Title and body as one string, the text that fingerprints are taken from."""
        if self.title and not self.text.startswith(self.title):
            return f"{self.title}\n{self.text}"
        return self.text


@dataclass(slots=True)
class DocInfo:
    """What a scan keeps of each document once its text is fingerprinted."""

    id: str
    title: str
    source: str | None
    date: str | None
    origin: str
    path: str | None
    root: str | None
    words: int
    digest: str  # hash of the normalised text: equal digests are exact copies
