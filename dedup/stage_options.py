"""The option records of normalisation and of the rewrite decision, in a module of their own.

:mod:`dedup.settings` declares every setting with its default, and the command line builds its options from it
before it knows whether a command has any work: these records (plain frozen dataclasses) can then be read
without loading :mod:`dedup.normalize` and :mod:`dedup.evidence`, which bring numpy, the regex engine and the
facts' tables. Both modules re-export their record, where it is documented in use.

>>> NormalizeOptions(fold_digits=False).signature().split(",")[:3], RewriteOptions().containment
(['nfkc', 'strip_invisible', 'strip_diacritics'], 0.25)
"""

from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass(frozen=True, slots=True)
class NormalizeOptions:
    """Which normalisation steps run (:mod:`dedup.normalize`). All on by default.

    >>> NormalizeOptions(fold_teh_marbuta=False).fold_teh_marbuta
    False
    """

    nfkc: bool = True
    strip_invisible: bool = True
    strip_diacritics: bool = True
    strip_tatweel: bool = True
    fold_alef: bool = True
    fold_hamza: bool = True
    fold_teh_marbuta: bool = True  # ة/ه and ى/ي
    fold_persian: bool = True
    fold_digits: bool = True
    punctuation_to_space: bool = True
    casefold: bool = True

    def signature(self) -> str:
        """A stable string naming the enabled steps, stored with anything persisted."""
        return ",".join(f.name for f in fields(self) if getattr(self, f.name))


@dataclass(frozen=True, slots=True)
class RewriteOptions:
    """Thresholds of the rewrite decision (see :mod:`dedup.evidence`); ``enabled=False`` turns it off."""

    enabled: bool = True  # (Settings turns it off when a shingle threshold is raised above its default)
    containment: float = 0.25  # 3-gram containment floor: below it two texts share too little phrasing to judge
    words: float = 0.65  # share of the shorter text's distinct content words found in the other
    title: float = 0.55  # title agreement (0-1), when both documents have a title
    ordered: float = 0.55  # share of the shorter text in same-order stretches of two or more words
    coverage: float = 0.75  # one text must cover the other (the coverage rule's threshold)
    local: float = 0.7  # passage alignment that stands in for the order test (reordered, reworded copies)
    local_title: float = 0.3  # the title agreement the passage route still needs
