"""Line rules: remove ads, share bars, "اقرأ أيضاً" lists, sign-offs and other chrome from extracted text.

The rules are data (``rules.toml`` beside this module, extended by a user's own file), not code: see that file for
the three kinds of rule. Lines are matched in a folded form (diacritics, tatweel, alef/hamza/ة/ى variants and
invisible characters folded, case ignored) so one pattern covers the spelling habits of many outlets.

>>> rules = LineRules.builtin()
>>> kept, removed = rules.strip("خبر مهم عن الاقتصاد اليوم.\\nشارك\\nتعليق")
>>> kept
'خبر مهم عن الاقتصاد اليوم.'
>>> [r.rule for r in removed]
['pattern:share-bar', 'pattern:comment-widget']
"""

from __future__ import annotations

import functools
import sys
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import regex

from dedup.clean.fold import _LINE_FOLD, fold_and_key
from dedup.clean.guards import CASE_TWINS, GUARDS, LEADS, TWINS, LiteralFinder, admitted, anchored_prefixes
from dedup.clean.guards import admits as admits  # re-exported: their home was here
from dedup.clean.guards import page_literals as page_literals
from dedup.document import Removal
from dedup.normalize import NormalizeOptions, normalize

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

_PATTERN_FOLD = NormalizeOptions(punctuation_to_space=False, casefold=False, strip_invisible=False)
# A line ending like this is a sentence, not a link title or a menu item.
_SENTENCE_END = regex.compile(r"[.!?؟۔…:;؛。]\W*$")


class RulesError(ValueError):
    """A rules file that cannot be used (bad TOML, bad regex, unknown keys); the message names the rule."""


def fold_line(line: str) -> str:
    """The form a line is matched in: Arabic letter variants, diacritics and case folded, punctuation kept."""
    return normalize(line, _LINE_FOLD)


def _compile(pattern: str, where: str) -> regex.Pattern[str]:
    try:
        return regex.compile(
            normalize(pattern, _PATTERN_FOLD) if not pattern.isascii() else pattern, regex.IGNORECASE | regex.V0
        )
    except regex.error as err:
        raise RulesError(f"{where}: invalid pattern ({err})") from None


@dataclass(frozen=True, slots=True)
class LineRule:
    name: str
    pattern: regex.Pattern[str]
    max_words: int = 20
    where: str = "any"  # "any", "head" or "tail"
    within: int = 3
    min_hits: int = 1  # distinct matches of `pattern` the line must hold
    unpunctuated: bool = False  # only lines that do not end like a sentence
    guard: tuple[str, ...] = ()  # literals one of which a matching line holds (see dedup.clean.guards)
    firsts: frozenset[str] = frozenset()  # first characters of its anchored prefixes (dedup.clean.guards)


@dataclass(frozen=True, slots=True)
class BlockRule:
    name: str
    pattern: regex.Pattern[str]
    item_max_words: int = 18
    max_items: int = 8
    guard: tuple[str, ...] = ()
    firsts: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class RunRule:
    name: str
    pattern: regex.Pattern[str]
    max_words: int = 9
    min_hits: int = 3
    guard: tuple[str, ...] = ()
    firsts: frozenset[str] = frozenset()


def _table(data: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    value = data.get(kind, [])
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise RulesError(f"[[{kind}]] must be an array of tables")
    return value


# The type every rule key must have (checked when the file is loaded, so a typo is one clear error, not a crash).
_TYPES: dict[str, type] = {
    "name": str,
    "pattern": str,
    "where": str,
    "max_words": int,
    "within": int,
    "min_hits": int,
    "item_max_words": int,
    "max_items": int,
    "unpunctuated": bool,
}
_TYPE_NAMES = {str: "a string", int: "a whole number", bool: "true or false"}

_ALLOWED = {
    "line": {"name", "pattern", "max_words", "where", "within", "min_hits", "unpunctuated"},
    "block": {"name", "pattern", "item_max_words", "max_items"},
    "run": {"name", "pattern", "max_words", "min_hits"},
}


@dataclass(frozen=True)
class LineRules:
    """A compiled set of line, block and run rules."""

    lines: tuple[LineRule, ...]
    blocks: tuple[BlockRule, ...]
    runs: tuple[RunRule, ...]

    @functools.cached_property
    def max_words(self) -> int:
        """The most words of a line that a rule with a literal guard may remove (a block's first line has no
        bound): only such lines are searched for guards (:func:`page_literals`)."""
        if any(b.guard for b in self.blocks):
            return sys.maxsize
        return max([r.max_words for r in (*self.lines, *self.runs) if r.guard], default=0)

    @classmethod
    def builtin(cls) -> LineRules:
        return cls.from_tables([_builtin_tables()])

    @classmethod
    def load(cls, user_file: str | Path | None = None) -> LineRules:
        """Built-in rules, extended (and overridden by name) by ``user_file`` when given."""
        tables = [_builtin_tables()]
        if user_file is not None:
            try:
                tables.append(tomllib.loads(Path(user_file).read_text(encoding="utf-8")))
            except OSError as err:
                raise RulesError(f"{user_file}: cannot read rules file ({err.strerror})") from None
            except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
                raise RulesError(f"{user_file}: not a valid TOML rules file ({err})") from None
        return cls.from_tables(tables)

    @classmethod
    def from_tables(cls, tables: list[dict[str, Any]]) -> LineRules:
        merged: dict[str, dict[str, dict[str, Any]]] = {"line": {}, "block": {}, "run": {}}
        disabled: set[str] = set()
        for data in tables:
            disabled.update(data.get("disable", []))
            for kind, rules in merged.items():
                for i, spec in enumerate(_table(data, kind)):
                    name = spec.get("name") or f"{kind}-{i + 1}"
                    unknown = set(spec) - _ALLOWED[kind]
                    if unknown:
                        raise RulesError(f"[[{kind}]] {name}: unknown keys {sorted(unknown)}")
                    if not isinstance(spec.get("pattern"), str):
                        raise RulesError(f"[[{kind}]] {name}: a string 'pattern' is required")
                    for key, value in spec.items():
                        expected = _TYPES.get(key)
                        # bool is an int in Python: a count given as `true` is a mistake too.
                        if expected is not None and (
                            not isinstance(value, expected) or (expected is int and isinstance(value, bool))
                        ):
                            raise RulesError(
                                f"[[{kind}]] {name}: {key!r} must be {_TYPE_NAMES[expected]}, got {value!r}"
                            )
                    rules[name] = {**spec, "name": name}
        lines: list[LineRule] = []
        blocks: list[BlockRule] = []
        runs: list[RunRule] = []
        for name, spec in merged["line"].items():
            if name in disabled:
                continue
            if spec.get("where", "any") not in ("any", "head", "tail"):
                raise RulesError(f"[[line]] {name}: 'where' must be any, head or tail")
            lines.append(
                LineRule(
                    pattern=(pattern := _compile(spec["pattern"], f"[[line]] {name}")),
                    guard=_guard("line", spec),
                    firsts=frozenset(p[0] for p in anchored_prefixes(pattern.pattern)),
                    **{k: v for k, v in spec.items() if k != "pattern"},
                )
            )
        for kind, make, out in (("block", BlockRule, blocks), ("run", RunRule, runs)):
            for name, spec in merged[kind].items():
                if name not in disabled:
                    pattern = _compile(spec["pattern"], f"[[{kind}]] {name}")
                    firsts = frozenset(p[0] for p in anchored_prefixes(pattern.pattern))
                    rest = {k: v for k, v in spec.items() if k != "pattern"}
                    guard = _guard(kind, spec)
                    out.append(make(pattern=pattern, guard=guard, firsts=firsts, **rest))  # type: ignore[operator]
        return cls(tuple(lines), tuple(blocks), tuple(runs))

    def classify(self, lines: list[str]) -> list[str | None]:
        """The rule that removes each line (``None`` for a kept line). Blank lines are never classified."""
        return self.classify_keyed(lines)[0]

    def classify_pages(
        self, pages: list[list[str]], folds: list[tuple[list[str], list[str], list[int]]]
    ) -> list[tuple[list[str | None], list[str], list[int]]]:
        """:meth:`classify_keyed` of each page's lines, given their :func:`fold_and_key`; the guards' literals
        looked for on all the pages in one pass (:meth:`LiteralFinder.on_pages`)."""
        looked = []
        most = self.max_words
        for lines, (folded, _, words) in zip(pages, folds):
            nonblank = [i for i, ln in enumerate(lines) if ln.strip()]
            looked.append((nonblank, "\n".join([folded[i] for i in nonblank if words[i] <= most])))
        found = self._finder.on_pages([page for _, page in looked])
        return [
            self.classify_keyed(lines, fold, (*seen, on_page))
            for lines, fold, seen, on_page in zip(pages, folds, looked, found)
        ]

    def classify_keyed(
        self,
        lines: list[str],
        folds: tuple[list[str], list[str], list[int]] | None = None,
        looked: tuple[list[int], str, list[str]] | None = None,
    ) -> tuple[list[str | None], list[str], list[int]]:
        """:meth:`classify`, each line normalised (:func:`dedup.normalize.normalize`) and each key's words: later
        stages (site boilerplate, fingerprints) reuse those keys instead of normalising the text again.
        ``folds``: the lines' :func:`fold_and_key`, and ``looked`` (:meth:`classify_pages`): the non-blank lines,
        the page searched for guards and the literals on it, when the caller has them."""
        folded, keys, words = folds if folds is not None else fold_and_key(lines)
        verdict: list[str | None] = [None] * len(lines)
        nonblank = [i for i, ln in enumerate(lines) if ln.strip()] if looked is None else looked[0]
        if not nonblank:
            return verdict, keys, words
        # Guards are looked for only in the lines a guarded rule may take (at most 40 words for the built-in ones):
        # long paragraphs are most of a page's text, and no guarded rule takes one.
        page = "\n".join(folded[i] for i in nonblank if words[i] <= self.max_words) if looked is None else looked[1]
        total = len(nonblank)
        # Each line's first word character, read once for every rule with anchored prefixes ("" for a blank line).
        firsts = [c if (c := f[:1]).isalpha() or c.isdecimal() else _first_after_lead(f) for f in folded]
        # page_literals of each guarded rule, the page searched for case twins once.
        twin = CASE_TWINS.search(page) is not None
        # Each literal looked for once, though several rules share it (the two ad rules share most of theirs).
        on_page = () if twin or not page else looked[2] if looked is not None else self._finder.on(page)
        if twin or on_page:
            found: dict[int, tuple[str, ...] | None] = {}
            ascii_page = page.isascii()  # then only the ASCII literals can be on it
            for rule, ascii_guard in self.guarded:
                guard = ascii_guard if ascii_page else rule.guard
                found[id(rule)] = None if twin else tuple([lit for lit in guard if lit in on_page])
            dead = frozenset(r for r, rule in enumerate(self.lines) if rule.guard and found[id(rule)] == ())
        else:  # most pages: no guarded rule's literal on them (never written to: shared)
            found, dead = self._none_found, self._guarded_lines

        for run in self.runs:
            literals = found[id(run)] if run.guard else None
            if literals == () or sum(words[i] <= run.max_words for i in nonblank) < run.min_hits:
                continue
            starts = _starts(run.firsts)
            k = 0
            while k < total:
                # Grow a run of consecutive short lines and count how many look like ads.
                j, hits = k, 0
                while j < total and words[nonblank[j]] <= run.max_words and verdict[nonblank[j]] is None:
                    hits += _hit(run, literals, starts, folded, firsts, nonblank[j])
                    j += 1
                if hits >= run.min_hits:
                    # Trim unmarked lines off both ends: a headline or subheading next to an ad run stays.
                    lo, hi = k, j - 1
                    while lo <= hi and not _hit(run, literals, starts, folded, firsts, nonblank[lo]):
                        lo += 1
                    while hi >= lo and not _hit(run, literals, starts, folded, firsts, nonblank[hi]):
                        hi -= 1
                    for m in range(lo, hi + 1):
                        verdict[nonblank[m]] = f"pattern:{run.name}"
                k = max(j, k + 1)

        for block in self.blocks:
            literals = found[id(block)] if block.guard else None
            if literals == ():
                continue
            starts = _starts(block.firsts)
            k = 0
            while k < total:
                i = nonblank[k]
                # Most lines start with no block's prefix: told by one set lookup, before any call.
                if (
                    verdict[i] is None
                    and (starts is None or firsts[i] in starts)
                    and _hit(block, literals, None, folded, firsts, i)
                ):
                    verdict[i] = f"pattern:{block.name}"
                    taken = 0
                    m = k + 1
                    while m < total and taken < block.max_items:
                        j = nonblank[m]
                        if words[j] > block.item_max_words or _SENTENCE_END.search(lines[j]):
                            break
                        verdict[j] = f"pattern:{block.name}"
                        taken += 1
                        m += 1
                    k = m
                else:
                    k += 1

        # Line by line (a line rule's verdict on a line depends on that line alone, so the order of the loops does
        # not matter), only the lines some line rule may take (most of a page's lines are paragraphs longer than
        # any allows), and only the rules whose anchored prefixes the line's first word character may begin.
        # The line rules a guard rules out on this page (no literal of it here) are left out of the loop at once.
        most = self.line_max_words
        for k, i in enumerate(nonblank):
            if verdict[i] is not None or words[i] > most:
                continue
            for rule in self._live_rules(firsts[i], dead):
                literals = found[id(rule)] if rule.guard else None
                if words[i] > rule.max_words:
                    continue
                if rule.where == "head" and k >= rule.within:
                    continue
                if rule.where == "tail" and k < total - rule.within:
                    continue
                if rule.unpunctuated and _SENTENCE_END.search(lines[i]):
                    continue
                if rule.guard and not admitted(literals, rule.guard, folded[i]):
                    continue
                if rule.min_hits > 1:
                    if len({m.group() for m in rule.pattern.finditer(folded[i])}) >= rule.min_hits:
                        verdict[i] = f"pattern:{rule.name}"
                        break
                elif rule.pattern.search(folded[i]):
                    verdict[i] = f"pattern:{rule.name}"
                    break
        return verdict, keys, words

    def _rules_for(self, first: str) -> tuple[int, ...]:
        """The line rules (their places in :attr:`lines`, in order) that may match a line whose first word
        character is ``first``: those without anchored prefixes, and those with one that ``first`` begins (all of
        them for a case twin)."""
        found = self._by_first.get(first)
        if found is None:
            found = tuple(k for k, r in enumerate(self.lines) if not r.firsts or first in r.firsts or first in TWINS)
            if len(self._by_first) < 4096:  # bounded: one entry per first character met
                self._by_first[first] = found
        return found

    @functools.cached_property
    def _by_first(self) -> dict[str, tuple[int, ...]]:
        return {}

    def _live_rules(self, first: str, dead: frozenset[int]) -> tuple[LineRule, ...]:
        """:meth:`_rules_for` ``first``, the rules, without those at places ``dead`` (guarded rules whose literals
        the page lacks)."""
        key = (first, dead)
        found = self._live.get(key)
        if found is None:
            found = tuple(self.lines[r] for r in self._rules_for(first) if r not in dead)
            if len(self._live) < 4096:  # bounded: a few page kinds per first character met
                self._live[key] = found
        return found

    @functools.cached_property
    def _live(self) -> dict[tuple[str, frozenset[int]], tuple[LineRule, ...]]:
        return {}

    @functools.cached_property
    def _guarded_lines(self) -> frozenset[int]:
        """The places in :attr:`lines` of the guarded line rules."""
        return frozenset(r for r, rule in enumerate(self.lines) if rule.guard)

    @functools.cached_property
    def _none_found(self) -> dict[int, tuple[str, ...] | None]:
        """What classify_keyed finds of each guarded rule's literals on a page holding none of them."""
        return {id(rule): () for rule, _ in self.guarded}

    @functools.cached_property
    def guarded(self) -> tuple[tuple[LineRule | BlockRule | RunRule, tuple[str, ...]], ...]:
        """The rules with a literal guard, each with the ASCII literals of its guard."""
        rules = (*self.runs, *self.blocks, *self.lines)
        return tuple((r, tuple(lit for lit in r.guard if lit.isascii())) for r in rules if r.guard)

    @functools.cached_property
    def guard_literals(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """Every guarded rule's literal, once: all (``[False]``) and the ASCII ones, all an ASCII page may hold."""
        every = tuple(dict.fromkeys(lit for rule, _ in self.guarded for lit in rule.guard))
        return every, tuple(lit for lit in every if lit.isascii())

    @functools.cached_property
    def _finder(self) -> LiteralFinder:
        return LiteralFinder(self.guard_literals[False])

    @functools.cached_property
    def line_max_words(self) -> int:
        """The most words of a line that a line rule may remove."""
        return max((r.max_words for r in self.lines), default=0)

    def strip(self, text: str) -> tuple[str, list[Removal]]:
        """Text without the lines the rules remove, and what was removed (blank-line runs collapsed)."""
        lines = text.splitlines()
        verdict = self.classify(lines)
        kept = [ln for ln, v in zip(lines, verdict) if v is None]
        removed = [Removal(ln.strip(), v) for ln, v in zip(lines, verdict) if v is not None]
        return collapse_blank_lines(kept), removed


@functools.lru_cache(maxsize=64)
def _starts(firsts: frozenset[str]) -> frozenset[str] | None:
    """The first word characters a line may start with for a rule with these anchored prefixes' ``firsts`` to match
    it, the case twins among them (then the regex says); ``None``: any."""
    return firsts | TWINS if firsts else None


def _first_after_lead(line: str) -> str:
    """The first word character of a folded line that does not start with one (``""``: none)."""
    lead = LEADS.match(line).end()  # type: ignore[union-attr]
    return line[lead : lead + 1]


def _hit(
    rule: RunRule | BlockRule,
    literals: tuple[str, ...] | None,
    starts: frozenset[str] | None,
    folded: list[str],
    firsts: list[str],
    i: int,
) -> bool:
    """Whether ``rule``'s pattern matches folded line ``i``, asked only if its literal guard admits the line and
    the line's first word character is one of ``starts`` (:meth:`LineRules._starts`; ``None``: any)."""
    line = folded[i]
    if rule.guard and not admitted(literals, rule.guard, line):
        return False
    if starts is not None and firsts[i] not in starts:
        return False
    return rule.pattern.search(line) is not None


def _guard(kind: str, spec: dict[str, Any]) -> tuple[str, ...]:
    """The literal guard of a built-in rule left as built in (same kind, name and pattern); else none."""
    name = spec["name"]
    if name not in GUARDS or _builtin_patterns().get((kind, name)) != spec["pattern"]:
        return ()
    # Folded as the pattern was (_compile), so that they are spelled as the lines they are looked for in.
    return tuple(lit if lit.isascii() else normalize(lit, _PATTERN_FOLD) for lit in GUARDS[name])


@functools.lru_cache(maxsize=1)
def _builtin_patterns() -> dict[tuple[str, str], str]:
    tables = _builtin_tables()
    return {(kind, spec["name"]): spec["pattern"] for kind in _ALLOWED for spec in _table(tables, kind)}


def collapse_blank_lines(lines: list[str]) -> str:
    """Join lines, stripping each and dropping blank ones: paragraphs are one line each after cleaning."""
    return "\n".join(s for s in (ln.strip() for ln in lines) if s)


def _builtin_tables() -> dict[str, Any]:
    text = resources.files("dedup.clean").joinpath("rules.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)
