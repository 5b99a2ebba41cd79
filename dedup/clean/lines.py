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
import re
import sys
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import regex

from dedup.document import Removal
from dedup.normalize import (
    _COMPLEX,
    DEFAULT_OPTIONS,
    NormalizeOptions,
    _lookup_table,
    _map_chars,
    _nfkc_stable,
    normalize,
    normalize_lines_each,
    normalize_lines_two,
)

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

# Lines are folded like the text that gets hashed, but punctuation is kept: rules need ":" and "©".
_LINE_FOLD = NormalizeOptions(punctuation_to_space=False)
_PATTERN_FOLD = NormalizeOptions(punctuation_to_space=False, casefold=False, strip_invisible=False)
# A line ending like this is a sentence, not a link title or a menu item.
_SENTENCE_END = regex.compile(r"[.!?؟۔…:;؛。]\W*$")
_WORD = regex.compile(r"[\p{L}\p{N}]+")

# Literal guards of the built-in rules that cost the most (the regex module gives alternations of many literals
# under IGNORECASE no literal prefilter): a folded line can match the rule only if it holds one of these
# literals, so the regex runs only on the few lines that do. Each guard belongs to the built-in pattern it was
# read from: a user file that replaces the rule (same name, other pattern) drops the guard.
_GUARDS: dict[str, tuple[str, ...]] = {
    name: tuple(literals.split("|"))
    for name, literals in {
        "cookie-notice": "cookie|ملفات تعريف الارتباط|الكوكيز|privacy policy|سياسه الخصوصيه|terms of|شروط الاستخدام",
        "ad-line": "عروض|عرض خاص|خصم|خصومات|تخفيضات|تنزيلات|مجانا|مجاني|توصيل|اطلب|احجز|سارع|اشترك|الاشتراك|الغاء"
        "|كوبون|لفتره محدوده|free|discount|sale|order now|shop now|cancel anytime|limited time|promo|coupon|deal"
        "|subscribe",
        "ad-run": "اعلان|مجانا|مجاني|انشر|بيع|اشتر|اكتشف|عموله|سمسره|السوق|تسوق|خصم|عروض|اونلاين|تطبيق|منصتك|دليلك"
        "|sponsored|advertis|free|shop|buy|sell|discount|offer|download the app|subscribe now",
        "meta-line": "عدد|القراءات|المشاهدات|الزيارات|view|read|القراءه|دقائق|دقيقه",
        "copyright": "©|(c)|copyright|all rights reserved|حقوق النشر|الحقوق محفوظه",
    }.items()
}
# Under IGNORECASE these match an ASCII letter of a guard's literal (İ/i, ſ/s, K/k: all the characters the
# regex module folds onto ASCII letters, found by trying every code point), as does any ASCII capital: a folded
# line is casefolded and NFKC, so it holds none of them, but a line that does is left to the regex.
_CASE_TWINS = regex.compile("[A-Z\u0130\u017f\u212a]")


def admits(guard: tuple[str, ...], folded: str) -> bool:
    """Whether a rule with this literal ``guard`` (``()``: none) may match the folded line at all.

    >>> admits(("cookie",), "we use cookies"), admits(("cookie",), "the port strike"), admits((), "anything")
    (True, False, True)
    """
    if not guard:
        return True
    for literal in guard:
        if literal in folded:
            return True
    return _CASE_TWINS.search(folded) is not None


def page_literals(guard: tuple[str, ...], page: str) -> tuple[str, ...] | None:
    """What a line of ``page`` (its folded lines joined) must hold for a rule with this ``guard`` to be tried:
    ``None`` for any line (no guard, or a case twin on the page: :func:`admits` line by line), else the
    guard's literals the page holds (``()``: no line can match). One substring search per literal per page
    instead of per line; a literal holds no newline, so each one found lies inside one line.

    >>> page_literals(("cookie", "privacy policy"), "we use cookies\\nthe port strike")
    ('cookie',)
    >>> page_literals(("cookie",), "the port strike"), page_literals((), "anything")
    ((), None)
    """
    if not guard or _CASE_TWINS.search(page) is not None:
        return None
    return tuple(literal for literal in guard if literal in page)


def _admitted(literals: tuple[str, ...] | None, guard: tuple[str, ...], folded: str) -> bool:
    """:func:`admits` of one line, given its page's :func:`page_literals`."""
    if literals is None:
        return admits(guard, folded)
    for literal in literals:
        if literal in folded:
            return True
    return False


@functools.lru_cache(maxsize=1)
def _multi_char_fold() -> tuple[re.Pattern[str], dict[int, str], regex.Pattern[str]]:
    """Characters whose fold is not one character, in the line fold or the hashing keys: a pattern finding any
    of them (``ß`` → ``ss``, ``İ``, Greek with iota subscript, ligatures), a ``str.translate`` table of those
    that may be written out before normalising, and a pattern finding those not followed by a combining mark.

    A text holding one goes to the slow reference path of :func:`dedup.normalize.normalize` whole. Written
    out first, ``ß`` gives the same result on the fast path: it is NFKC-stable (never composes with what
    precedes it) and so is ``ss``; only a combining mark after it (``ß`` + U+0301 → ``sś``) could compose with
    the written-out ``s`` differently, so such a line keeps the slow path.
    """
    stable = _nfkc_stable()
    tables = [_lookup_table(opts) for opts in (_LINE_FOLD, DEFAULT_OPTIONS)]
    chars = sorted({int(c) for t in tables for c in (t == _COMPLEX).nonzero()[0]})
    spelled = {}
    for c in chars:
        out = {_map_chars(chr(c), opts) for opts in (_LINE_FOLD, DEFAULT_OPTIONS)}
        (word,) = out if len(out) == 1 else ("",)
        # ASCII letters that fold to themselves: every character of the spelling is stable and final.
        if stable[c] and word.isascii() and word.isalpha() and all(t[ord(w)] == ord(w) for t in tables for w in word):
            spelled[c] = word
    any_multi = re.compile("[" + "".join(re.escape(chr(c)) for c in chars) + "]")
    spellable = regex.compile("[" + "".join(regex.escape(chr(c)) for c in spelled) + r"](?!\p{M})")
    return any_multi, spelled, spellable


def fold_and_key(lines: list[str]) -> tuple[list[str], list[str]]:
    """Each line folded for the rules and normalised for hashing: ``normalize_lines_each(lines, (_LINE_FOLD,
    DEFAULT_OPTIONS))``, with ``ß`` written out first and lines still holding a multi-character fold
    (:func:`_multi_char_fold`) normalised alone: one ``ß`` no longer sends a whole page to the slow path (a
    third of the dev-set pages hold one).

    >>> fold_and_key(["Die Straße", "Ein Satz.", "İstanbul", ""])
    (['die strasse', 'ein satz.', 'i̇stanbul', ''], ['die strasse', 'ein satz', 'i̇stanbul', ''])
    """
    fast = normalize_lines_two(lines, _LINE_FOLD, DEFAULT_OPTIONS)
    if fast is not None:  # the compiled kernels, on a page they can take whole (most pages)
        return fast[0], fast[1]
    any_multi, spelled, spellable = _multi_char_fold()
    if not lines or any_multi.search("\n".join(lines)) is None:
        folded, keys = normalize_lines_each(lines, (_LINE_FOLD, DEFAULT_OPTIONS))
        return folded, keys
    fast: list[int] = []
    fast_lines: list[str] = []
    slow: list[int] = []
    for i, line in enumerate(lines):
        if any_multi.search(line) is not None:
            written = spellable.sub(lambda m: spelled[ord(m.group())], line)
            if any_multi.search(written) is not None:
                slow.append(i)
                continue
            line = written
        fast.append(i)
        fast_lines.append(line)
    folded, keys = [""] * len(lines), [""] * len(lines)
    if fast:
        fast_folded, fast_keys = normalize_lines_each(fast_lines, (_LINE_FOLD, DEFAULT_OPTIONS))
        for i, f, k in zip(fast, fast_folded, fast_keys):
            folded[i], keys[i] = f, k
    for i in slow:
        folded[i], keys[i] = normalize(lines[i], _LINE_FOLD), normalize(lines[i])
    return folded, keys


class RulesError(ValueError):
    """A rules file that cannot be used (bad TOML, bad regex, unknown keys); the message names the rule."""


def fold_line(line: str) -> str:
    """The form a line is matched in: Arabic letter variants, diacritics and case folded, punctuation kept."""
    return normalize(line, _LINE_FOLD)


def word_count(line: str) -> int:
    return len(_WORD.findall(line))


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
    guard: tuple[str, ...] = ()  # literals one of which a matching line holds (see _GUARDS)


@dataclass(frozen=True, slots=True)
class BlockRule:
    name: str
    pattern: regex.Pattern[str]
    item_max_words: int = 18
    max_items: int = 8
    guard: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RunRule:
    name: str
    pattern: regex.Pattern[str]
    max_words: int = 9
    min_hits: int = 3
    guard: tuple[str, ...] = ()


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
        lines, blocks, runs = [], [], []
        for name, spec in merged["line"].items():
            if name in disabled:
                continue
            if spec.get("where", "any") not in ("any", "head", "tail"):
                raise RulesError(f"[[line]] {name}: 'where' must be any, head or tail")
            lines.append(
                LineRule(
                    pattern=_compile(spec["pattern"], f"[[line]] {name}"),
                    guard=_guard("line", spec),
                    **{k: v for k, v in spec.items() if k != "pattern"},
                )
            )
        for name, spec in merged["block"].items():
            if name not in disabled:
                blocks.append(
                    BlockRule(
                        pattern=_compile(spec["pattern"], f"[[block]] {name}"),
                        guard=_guard("block", spec),
                        **{k: v for k, v in spec.items() if k != "pattern"},
                    )
                )
        for name, spec in merged["run"].items():
            if name not in disabled:
                runs.append(
                    RunRule(
                        pattern=_compile(spec["pattern"], f"[[run]] {name}"),
                        guard=_guard("run", spec),
                        **{k: v for k, v in spec.items() if k != "pattern"},
                    )
                )
        return cls(tuple(lines), tuple(blocks), tuple(runs))

    def classify(self, lines: list[str]) -> list[str | None]:
        """The rule that removes each line (``None`` for a kept line). Blank lines are never classified."""
        return self.classify_keyed(lines)[0]

    def classify_keyed(self, lines: list[str]) -> tuple[list[str | None], list[str]]:
        """:meth:`classify`, and each line normalised (:func:`dedup.normalize.normalize`): later stages (site
        boilerplate, fingerprints) reuse those keys instead of normalising the text again."""
        folded, keys = fold_and_key(lines)
        words = [key.count(" ") + 1 if key else 0 for key in keys]
        verdict: list[str | None] = [None] * len(lines)
        nonblank = [i for i, ln in enumerate(lines) if ln.strip()]
        # Guards are looked for only in the lines a guarded rule may take (at most 40 words for the built-in ones):
        # long paragraphs are most of a page's text, and no guarded rule takes one.
        page = "\n".join(folded[i] for i in nonblank if words[i] <= self.max_words)
        position = {i: k for k, i in enumerate(nonblank)}
        total = len(nonblank)

        for run in self.runs:
            literals = page_literals(run.guard, page)
            if literals == ():
                continue
            k = 0
            while k < total:
                # Grow a run of consecutive short lines and count how many look like ads.
                j, hits = k, 0
                while j < total and words[nonblank[j]] <= run.max_words and verdict[nonblank[j]] is None:
                    hits += _hit(run, literals, folded[nonblank[j]])
                    j += 1
                if hits >= run.min_hits:
                    # Trim unmarked lines off both ends: a headline or subheading next to an ad run stays.
                    lo, hi = k, j - 1
                    while lo <= hi and not _hit(run, literals, folded[nonblank[lo]]):
                        lo += 1
                    while hi >= lo and not _hit(run, literals, folded[nonblank[hi]]):
                        hi -= 1
                    for m in range(lo, hi + 1):
                        verdict[nonblank[m]] = f"pattern:{run.name}"
                k = max(j, k + 1)

        for block in self.blocks:
            literals = page_literals(block.guard, page)
            if literals == ():
                continue
            k = 0
            while k < total:
                i = nonblank[k]
                if verdict[i] is None and _hit(block, literals, folded[i]):
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

        for rule in self.lines:
            literals = page_literals(rule.guard, page)
            if literals == ():
                continue
            for i in nonblank:
                if verdict[i] is not None or words[i] > rule.max_words:
                    continue
                if rule.where == "head" and position[i] >= rule.within:
                    continue
                if rule.where == "tail" and position[i] < total - rule.within:
                    continue
                if rule.unpunctuated and _SENTENCE_END.search(lines[i]):
                    continue
                if not _admitted(literals, rule.guard, folded[i]):
                    continue
                if rule.min_hits > 1:
                    if len({m.group() for m in rule.pattern.finditer(folded[i])}) >= rule.min_hits:
                        verdict[i] = f"pattern:{rule.name}"
                elif rule.pattern.search(folded[i]):
                    verdict[i] = f"pattern:{rule.name}"
        return verdict, keys

    def strip(self, text: str) -> tuple[str, list[Removal]]:
        """Text without the lines the rules remove, and what was removed (blank-line runs collapsed)."""
        lines = text.splitlines()
        verdict = self.classify(lines)
        kept = [ln for ln, v in zip(lines, verdict) if v is None]
        removed = [Removal(ln.strip(), v) for ln, v in zip(lines, verdict) if v is not None]
        return collapse_blank_lines(kept), removed


def _hit(rule: RunRule | BlockRule, literals: tuple[str, ...] | None, folded: str) -> bool:
    return _admitted(literals, rule.guard, folded) and rule.pattern.search(folded) is not None


def _guard(kind: str, spec: dict[str, Any]) -> tuple[str, ...]:
    """The literal guard of a built-in rule left as built in (same kind, name and pattern); else none."""
    name = spec["name"]
    if name not in _GUARDS or _builtin_patterns().get((kind, name)) != spec["pattern"]:
        return ()
    # Folded as the pattern was (_compile), so that they are spelled as the lines they are looked for in.
    return tuple(lit if lit.isascii() else normalize(lit, _PATTERN_FOLD) for lit in _GUARDS[name])


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
