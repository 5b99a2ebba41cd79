"""How a text writes words and names, for "does this text write this name somewhere?" (:mod:`dedup.templates`).

Outlets spell one name several ways: with a proclitic ("بالرياض"), split or joined ("عبد الله" / "عبدالله"), or a
letter apart ("الامريكي" / "الاميركي"). :class:`Spellings` answers for all of them.

>>> Spellings("وصل عبد الله الى الرياض".split()).has("عبدالله")
True
"""

from __future__ import annotations

import bisect
import functools
import operator
import re
from collections.abc import Sequence

from rapidfuzz import fuzz, process

from dedup.numbers import PREFIXES, bare

# Two name spellings this close (Indel ratio, 2 * LCS / total length) are one name written two ways
# ("الامريكي" / "الاميركي").
NAME_SPELLING = 0.8


# bare() at the start of every space-separated word (alternatives tried in PREFIXES order, 2+ letters left), matched
# with the space before it: a pattern that opens with a literal is searched for it, not tried at every character.
# (The standard library's engine runs this pattern in two thirds of the time the regex module takes.)
_PROCLITIC = re.compile(r" (?:" + "|".join(PREFIXES) + r")(?=[^ ]{2})")


class Spellings:
    """Answers "does this text write this name somewhere?", allowing for spelling variants and split words."""

    def __init__(self, tokens: Sequence[str]) -> None:
        self.tokens = tokens
        self._written: set[str] | None = None
        self._words: set[str] | None = None  # built on the first question the words written cannot answer
        self._bare: set[str] | None = None
        self._by_length: tuple[list[int], list[str]] | None = None

    @property
    def written(self) -> set[str]:
        """The words as they are written: "is ``w`` one of :attr:`words`?" is asked of the forms of ``w``."""
        if self._written is None:
            self._written = set(self.tokens)
        return self._written

    @property
    def words(self) -> set[str]:
        """bare() of every word: most questions are answered here, without the adjacent pairs of :attr:`bare`."""
        if self._words is None:
            self._words = set(map(bare, self.written))  # bare() is cached: a text's words were seen before
        return self._words

    @property
    def bare(self) -> set[str]:
        """:attr:`words` and bare() of every two adjacent words written as one ("عبد الله" = "عبدالله")."""
        if self._bare is None:
            t = self.tokens
            # One regex pass over the joined pairs instead of a Python call per pair (each pair is new to bare()'s
            # cache), and over the words written too unless their bare forms are read already: the pass strips
            # the rare words that bare() has not cached for less. Built only when a name or a place is not a word.
            pairs = " ".join(map(operator.add, t[:-1], t[1:]))
            if self._words is not None:
                self._bare = self._words | set(_PROCLITIC.sub(" ", " " + pairs).split())
            else:
                self._bare = set(_PROCLITIC.sub(" ", " " + " ".join(self.written) + " " + pairs).split())
        return self._bare

    def _word(self, word: str) -> bool:
        """Whether ``word`` (a bare form) is one of :attr:`words`, asked of the words written (one of its forms)."""
        return not self.written.isdisjoint(_forms(word))

    def holds(self, words: set[str]) -> bool:
        """Whether every one of ``words`` (bare forms) is in :attr:`bare`."""
        return all(map(self._word, words)) or words <= self.bare

    def _near(self, size: int) -> list[str]:
        """The words of :attr:`bare` with ``size - 2`` to ``size + 2`` letters."""
        if self._by_length is None:
            ordered = sorted(self.bare, key=len)
            self._by_length = list(map(len, ordered)), ordered
        lengths, ordered = self._by_length
        return ordered[bisect.bisect_left(lengths, size - 2) : bisect.bisect_right(lengths, size + 2)]

    def has(self, name: str) -> bool:
        if name in self.written:  # most names are written as they are
            return True
        word = bare(name)
        if self._word(word) or word in self.bare:
            return True
        if len(word) < 4:
            return False
        return (
            process.extractOne(word, self._near(len(word)), scorer=fuzz.ratio, score_cutoff=100 * NAME_SPELLING)
            is not None
        )


@functools.lru_cache(maxsize=1 << 12)  # the names and places asked about: a few thousand
def _forms(word: str) -> tuple[str, ...]:
    """Every word whose bare() is ``word``: itself (unless it starts with a proclitic) and it behind one.

    >>> _forms("رياض")[:5]
    ('رياض', 'وبالرياض', 'والرياض', 'بالرياض', 'للرياض')
    """
    return tuple(f for f in (word, *(p + word for p in PREFIXES)) if bare(f) == word)
