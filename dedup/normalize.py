"""Arabic-first text normalisation, applied before anything is hashed.

Two copies of one wire story differ in spelling habits far more than in words: one outlet writes أ where another
writes ا, ة where another writes ه, adds tatweel (ـ) for justification, keeps stray diacritics, or prints dates in
Arabic-Indic digits. Normalisation folds those away so that shingles match. Every step can be switched off through
:class:`NormalizeOptions`.

>>> normalize("أَعلنَ الرئيسُ ـــ يوم ١٤ ديسمبر، في دمشق!")
'اعلن الرييس يوم 14 ديسمبر في دمشق'
"""

from __future__ import annotations

import codecs
import functools
import hashlib
import io
import unicodedata
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import regex

from dedup.cache import cache_dir, write_cache_file
from dedup.kernels import get as get_kernels
from dedup.stage_options import NormalizeOptions

# Harakat, Quranic annotation marks, superscript alef and small high letters (Mn, in the Arabic blocks).
_DIACRITICS = "[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e4\u06e7\u06e8\u06ea-\u06ed\u08d3-\u08ff]"
_TATWEEL = "\u0640"
# Zero-width and bidirectional control characters: invisible, but they split or glue words in scraped text.
_INVISIBLE = "[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\u00ad\u061c]"

_ALEF = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ٲ": "ا", "ٳ": "ا"})
# Hamza carriers fold to their bare letter so that dropped hamzas (a common outlet habit) match: never to nothing.
_HAMZA = str.maketrans({"ؤ": "و", "ئ": "ي"})
_YEH_TEH = str.maketrans({"ى": "ي", "ة": "ه"})
# Persian/Urdu letter forms seen in Arabic text typed on Persian keyboards.
_PERSIAN = str.maketrans(
    {
        "ک": "ك",
        "ی": "ي",
        "ې": "ي",
        "ۍ": "ي",
        "ێ": "ي",
        "ۀ": "ه",
        "ہ": "ه",
        "ھ": "ه",
        "ە": "ه",
        "ۃ": "ه",
        "پ": "ب",
        "چ": "ج",
        "ژ": "ز",
        "گ": "ك",
        "ڤ": "ف",
        "ڨ": "ق",
        "ٹ": "ت",
        "ڈ": "د",
        "ڑ": "ر",
    }
)
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")

_DIACRITICS_RE = regex.compile(_DIACRITICS)
_INVISIBLE_RE = regex.compile(_INVISIBLE)
# Anything that is not a letter, a mark or a digit separates words: Arabic ، ؛ ؟ « » and all Unicode punctuation
# and symbols included. \p{M} keeps combining marks of other scripts inside their words.
_SEPARATOR_RE = regex.compile(r"[^\p{L}\p{M}\p{N}]+")


DEFAULT_OPTIONS = NormalizeOptions()


def _reference(text: str, options: NormalizeOptions, _depth: int = 0) -> str:
    """The plain step-by-step pipeline; :func:`normalize` is a vectorised equivalent of it."""
    if options.nfkc:
        # NFKC also unpacks Arabic presentation forms (ﻻ → لا) and ligatures: first, so later steps see letters.
        text = unicodedata.normalize("NFKC", text)
    text = _map_chars(text, options)
    if options.punctuation_to_space:
        text = _SEPARATOR_RE.sub(" ", text)
    else:
        text = " ".join(text.split())
    text = text.strip()
    if options.nfkc and _depth < 3 and not text.isascii() and not unicodedata.is_normalized("NFKC", text):
        # casefold and folding can produce sequences that NFKC composes differently; another pass makes
        # normalize() idempotent. Bounded: with some steps off (kept diacritics), NFKC and the folding can
        # undo each other forever.
        return _reference(text, options, _depth + 1)
    return text


def _map_chars(text: str, options: NormalizeOptions) -> str:
    """Every per-character step (deletions and foldings), in order."""
    if options.strip_invisible:
        text = _INVISIBLE_RE.sub("", text)
    if options.strip_diacritics:
        text = _DIACRITICS_RE.sub("", text)
    if options.strip_tatweel:
        text = text.replace(_TATWEEL, "")
    if options.fold_alef:
        text = text.translate(_ALEF)
    if options.fold_hamza:
        text = text.translate(_HAMZA)
    if options.fold_teh_marbuta:
        text = text.translate(_YEH_TEH)
    if options.fold_persian:
        text = text.translate(_PERSIAN)
    if options.fold_digits:
        text = text.translate(_DIGITS)
    if options.casefold:
        text = text.casefold()
    return text


_DELETE = 0
_COMPLEX = 0xFFFFFFFF  # a character whose mapping is not one character (e.g. ß → ss): use the reference path
_SPACE = 0x20


@functools.lru_cache(maxsize=1)
def _tables_key() -> str:
    # Tables depend on this module's rules and on the Python's Unicode database: either changes the key.
    code = hashlib.blake2b(Path(__file__).read_bytes(), digest_size=8).hexdigest()
    return f"unicode{unicodedata.unidata_version}-{code}"


def _disk_cached(name: str, build: Callable[[], dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """Arrays derived from the Unicode database, built once per machine (about a second of start-up saved on
    every run: the pre-commit hook and small batches feel it) and kept in the user's cache directory
    (``$DEDUP_CACHE_DIR``, else ``$XDG_CACHE_HOME/dedup`` or ``~/.cache/dedup``). Any problem reading or
    writing the cache just means building the arrays again; files hold plain arrays (no pickles)."""
    path = cache_dir() / f"{name}-{_tables_key()}.npz"
    try:
        with np.load(path, allow_pickle=False) as data:
            return {k: data[k] for k in data.files}
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
        pass
    arrays = build()
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    write_cache_file(path, buffer.getvalue())
    return arrays


@functools.lru_cache(maxsize=16)
def _lookup_table(options: NormalizeOptions) -> np.ndarray:
    """:func:`_build_lookup_table`, cached on disk."""
    name = "lookup-" + hashlib.blake2b(repr(options).encode(), digest_size=6).hexdigest()
    return _disk_cached(name, lambda: {"table": _build_lookup_table(options)})["table"]


def _build_lookup_table(options: NormalizeOptions) -> np.ndarray:
    """What every BMP character becomes under ``options``: one code point, deleted (0) or complex.

    Built by running the reference per-character steps on each character, so the fast path cannot drift
    from the reference; characters outside the BMP go through :func:`_astral_entry`.
    """
    # All BMP characters but the surrogates in one string, "\x00"-separated (no step touches NUL), mapped at once.
    codes = [c for c in range(1, 0x10000) if not 0xD800 <= c <= 0xDFFF]
    mapped = _map_chars("\x00".join(map(chr, codes)), options).split("\x00")
    table = np.full(0x10000, _COMPLEX, dtype=np.uint32)
    table[codes] = [_entry(out, options) for out in mapped]
    table[0] = _COMPLEX  # NUL would be read as "delete"; let the reference handle it
    return table


@functools.lru_cache(maxsize=4096)
def _astral_entry(c: int, options: NormalizeOptions) -> int:
    """The table entry of a character outside the BMP (emoji, rare scripts), computed as the table's are."""
    return _entry(_map_chars(chr(c), options), options)


def _entry(out: str, options: NormalizeOptions) -> int:
    """The lookup-table entry of a character that the per-character steps turned into ``out``."""
    if options.punctuation_to_space:
        out = _SEPARATOR_RE.sub(" ", out)
    elif out.isspace():
        out = " "
    return _DELETE if out == "" else ord(out) if len(out) == 1 else _COMPLEX


def _map_codes(codes: np.ndarray, options: NormalizeOptions) -> np.ndarray:
    """Every code point through the lookup table (characters outside the BMP one by one: they are rare)."""
    table = _lookup_table(options)
    astral = codes > 0xFFFF
    if not astral.any():
        return table[codes]
    mapped = table[np.where(astral, 0x20, codes)]
    mapped[astral] = [_astral_entry(c, options) for c in codes[astral].tolist()]
    return mapped


@functools.lru_cache(maxsize=1)
def _nfkc_classes() -> tuple[np.ndarray, np.ndarray]:
    """:func:`_build_nfkc_classes`, cached on disk (bit-packed)."""

    def build() -> dict[str, np.ndarray]:
        stable, inert = _build_nfkc_classes()
        return {"stable": np.packbits(stable), "inert": np.packbits(inert)}

    data = _disk_cached("nfkc", build)
    n = 0x110000
    return (np.unpackbits(data["stable"], count=n).astype(bool), np.unpackbits(data["inert"], count=n).astype(bool))


def _build_nfkc_classes() -> tuple[np.ndarray, np.ndarray]:
    """Two boolean tables over all code points: *stable* and *inert mark* characters under NFKC.

    A stable character has canonical combining class 0, is its own NFKC form, and is not the second half of
    any canonical composition (nor a Hangul vowel/final jamo). ``NFKC(x + y) == NFKC(x) + NFKC(y)`` whenever
    ``y`` starts with a stable character (UAX #15, "stable code points"), so only the runs of unstable
    characters, each with the stable character before it, need ``unicodedata.normalize``.

    An inert mark is a combining mark (class > 0) that is its own NFKC form and never composes: NFKC can only
    reorder it among other marks. A run made only of inert marks that normalisation deletes anyway (Arabic
    harakat) therefore normalises to nothing either way, and needs no ``unicodedata.normalize`` call.
    """
    # Above U+30000 there are no decompositions and no combining marks (CJK extensions, tags, variation
    # selectors, private use): every character there is stable.
    stable = np.ones(0x110000, dtype=bool)
    inert = np.zeros(0x110000, dtype=bool)
    second = np.zeros(0x110000, dtype=bool)
    chars = [chr(c) for c in range(1, 0x30000) if not 0xD800 <= c <= 0xDFFF]
    # NUL is stable, so NFKC of the NUL-joined characters is the NUL-joined NFKC of each: one C call.
    nfkc = unicodedata.normalize("NFKC", "\x00".join(chars)).split("\x00")
    for ch, out in zip(chars, nfkc):
        c = ord(ch)
        combining = unicodedata.combining(ch)
        if out != ch or combining:
            stable[c] = False
            inert[c] = out == ch and combining > 0
        dec = unicodedata.decomposition(ch)
        if dec and not dec.startswith("<"):
            parts = dec.split()
            if len(parts) == 2:
                second[int(parts[1], 16)] = True  # composes with what precedes it
    stable[second] = False
    inert[second] = False
    stable[0xD800:0xE000] = False
    stable[0x1160:0x1200] = False  # Hangul V and T jamo compose with a preceding L or LV syllable
    inert[0x1160:0x1200] = False
    return stable, inert


def _nfkc_stable() -> np.ndarray:
    return _nfkc_classes()[0]


@functools.lru_cache(maxsize=16)
def _needs_nfkc(options: NormalizeOptions) -> np.ndarray:
    """Characters that make a text need ``unicodedata.normalize``: unstable, and not a deleted inert mark."""
    stable, inert = _nfkc_classes()
    deleted = np.zeros(0x110000, dtype=bool)
    deleted[:0x10000] = _lookup_table(options) == _DELETE
    return ~stable & ~(inert & deleted)


def _nfkc(text: str, codes: np.ndarray, options: NormalizeOptions = DEFAULT_OPTIONS) -> str:
    """``unicodedata.normalize("NFKC", text)`` as far as ``normalize(text, options)`` can tell: only runs of
    characters that need it are normalised (``codes`` = the code points of ``text``)."""
    unstable = _needs_nfkc(options)[codes]
    if not unstable.any():
        return text
    flags = np.zeros(unstable.size + 2, dtype=np.int8)
    flags[1:-1] = unstable
    edges = np.flatnonzero(flags[1:] != flags[:-1])
    if edges.size > 64:  # many runs: one C call beats many slices
        return unicodedata.normalize("NFKC", text)
    # Each run is normalised from the last stable character before it (it may compose with the run; inert
    # marks between them are not boundaries), merging runs that share one.
    stable_at = np.flatnonzero(_nfkc_stable()[codes])
    starts = edges[::2]
    before = np.searchsorted(stable_at, starts) - 1
    starts = np.where(before >= 0, stable_at[np.maximum(before, 0)], 0) if stable_at.size else np.zeros_like(starts)
    spans: list[list[int]] = []
    for start, stop in zip(starts.tolist(), edges[1::2].tolist()):
        if spans and start < spans[-1][1]:
            spans[-1][1] = stop
        else:
            spans.append([start, stop])
    out, pos = [], 0
    for start, stop in spans:
        out.append(text[pos:start])
        out.append(unicodedata.normalize("NFKC", text[start:stop]))
        pos = stop
    out.append(text[pos:])
    return "".join(out)


def _codes(text: str) -> np.ndarray:
    # Decoded back with codecs.utf_32_le_decode: no copy to bytes, none of bytes.decode's Python-level wrapper.
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def normalize(text: str, options: NormalizeOptions = DEFAULT_OPTIONS) -> str:
    """Return ``text`` with Arabic orthographic variation, punctuation and case folded away.

    Words are separated by single spaces; lines are not kept. The result is idempotent:
    ``normalize(normalize(t)) == normalize(t)``. One table lookup per character (numpy) replaces a dozen
    passes of ``str.translate`` and ``re.sub``; it is checked against the step-by-step reference in the tests.

    >>> normalize("Read MORE: «الجمهوريّة»")
    'read more الجمهوريه'
    """
    if not text:
        return ""
    codes = _codes(text)
    if options.nfkc and not text.isascii():
        normal = _nfkc(text, codes, options)
        if normal is not text:
            text, codes = normal, _codes(normal)
            if not text:
                return ""
    mapped = _map_codes(codes, options)
    if (mapped == _COMPLEX).any():
        return _reference(text, options)
    mapped = mapped[mapped != _DELETE]
    # Collapse runs of spaces (every whitespace and, by default, punctuation character is now " ") and trim.
    is_space = mapped == _SPACE
    keep = ~(is_space & np.concatenate(([True], is_space[:-1])))
    mapped = mapped[keep]
    if mapped.size and mapped[-1] == _SPACE:
        mapped = mapped[:-1]
    out = codecs.utf_32_le_decode(mapped, None, True)[0]
    if options.nfkc and not _nfkc_stable()[mapped].all() and not unicodedata.is_normalized("NFKC", out):
        return _reference(text, options)
    return out


def normalize_lines(lines: Sequence[str], options: NormalizeOptions = DEFAULT_OPTIONS) -> list[str]:
    """``[normalize(line, options) for line in lines]`` in one vectorised pass (lines must not contain "\\n").

    >>> normalize_lines(["أهلاً،  بكم", "", "Share THIS"])
    ['اهلا بكم', '', 'share this']
    """
    return normalize_lines_each(lines, (options,))[0]


def normalize_lines_each(lines: Sequence[str], options: Sequence[NormalizeOptions]) -> list[list[str]]:
    """``[normalize_lines(lines, o) for o in options]``, the lines joined, read and NFKC-normalised once for all
    the options that agree on NFKC (the line rules' fold and the hashing keys do).

    >>> normalize_lines_each(["Read MORE: «الجمهوريّة»"], (NormalizeOptions(punctuation_to_space=False),
    ...                                                     DEFAULT_OPTIONS))
    [['read more: «الجمهوريه»'], ['read more الجمهوريه']]
    """
    if not lines:
        return [[] for _ in options]
    raw = "\n".join(lines)
    get_kernels(len(raw))  # counts towards loading the compiled kernels (dedup.kernels)
    raw_codes = _codes(raw)
    normalised: dict[bytes, np.ndarray] = {}
    out = []
    for opts in options:
        codes = raw_codes
        if opts.nfkc and not raw.isascii():
            key = _nfkc_key(opts)
            if key not in normalised:
                normal = _nfkc(raw, raw_codes, opts)
                normalised[key] = raw_codes if normal is raw else _codes(normal)
            codes = normalised[key]
        out.append(_normalised_lines(lines, codes, opts))
    return out


def normalize_lines_two(
    lines: Sequence[str], a: NormalizeOptions, b: NormalizeOptions, spaces: list[int] | None = None
) -> list[list[str]] | None:
    """``normalize_lines_each(lines, (a, b))`` in one pass of the compiled kernels over the joined lines, when they
    are loaded and the text needs no NFKC, has no character beyond the BMP and none with a multi-character fold
    (most pages); else ``None`` (the general path's turn). ``spaces`` gets the spaces of each line of b's result.

    >>> out = normalize_lines_two(["Read MORE: «الجمهوريّة»"], NormalizeOptions(punctuation_to_space=False),
    ...                           DEFAULT_OPTIONS)
    >>> out is None or out == [['read more: «الجمهوريه»'], ['read more الجمهوريه']]
    True
    """
    kernels = get_kernels(0)
    if kernels is None or not lines:
        return None
    codes = _codes("\n".join(lines))
    if codes.size == 0:
        return None
    needs, expand, flags = _nfkc_expansions(a, b)
    folded_a, status_a, folded_b, status_b, ok, counted = kernels.fold_two(
        codes, _lookup_table(a), _lookup_table(b), _nfkc_stable(), needs, expand, flags
    )
    if not ok:
        return None
    out = []
    # What _normalised_lines does with each option's result of the one-table kernel.
    for folded, status, options in ((folded_a, status_a, a), (folded_b, status_b, b)):
        parts = codecs.utf_32_le_decode(folded, None, True)[0].split("\n")
        if len(parts) != len(lines) or (
            status == 2 and options.nfkc and not all(unicodedata.is_normalized("NFKC", p) for p in parts)
        ):
            return None
        out.append(parts)
    if spaces is not None:
        spaces.extend(counted.tolist())
    return out


@functools.lru_cache(maxsize=16)
def _nfkc_expansions(a: NormalizeOptions, b: NormalizeOptions) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The characters that make a text need ``unicodedata.normalize`` under ``a`` or ``b``; for those of the BMP, the
    NFKC form :func:`normalize_lines_two` may put in their place (up to four characters, 0-padded; all 0: none) when
    it is BMP characters that are NFKC-stable and the character has combining class 0 (so NFKC of the text is that
    of its parts, :func:`_build_nfkc_classes`: U+00A0 is a space, U+2026 three full stops, U+FEFB lam and alef); and
    the kernel's flag per BMP character: 1 those and multi-character folds, 2 and 4 an NFKC-unstable fold (a, b)."""
    needs = np.zeros(0x110000, dtype=bool)
    for options in (a, b):
        if options.nfkc:
            needs |= _needs_nfkc(options)
    stable = _nfkc_stable()
    expand = np.zeros((0x10000, 4), dtype=np.uint32)
    for c in np.flatnonzero(needs[:0x10000]).tolist():
        if 0xD800 <= c <= 0xDFFF or unicodedata.combining(chr(c)):
            continue
        out = [ord(x) for x in unicodedata.normalize("NFKC", chr(c))]
        if 0 < len(out) <= 4 and out != [c] and all(x <= 0xFFFF and stable[x] and not needs[x] for x in out):
            expand[c, : len(out)] = out
    ta, tb = (_lookup_table(o)[:0x10000] for o in (a, b))
    ua, ub = ((t != _DELETE) & (t != _SPACE) & (t != _COMPLEX) & ~stable[t % 0x110000] for t in (ta, tb))
    flags = ((needs[:0x10000] | (ta == _COMPLEX) | (tb == _COMPLEX)) + 2 * ua + 4 * ub).astype(np.uint8)
    return needs, expand, flags


@functools.lru_cache(maxsize=16)
def _nfkc_key(options: NormalizeOptions) -> bytes:
    """Options with the same key get the same :func:`_nfkc` of any text (it depends on what _needs_nfkc flags)."""
    return hashlib.blake2b(np.packbits(_needs_nfkc(options)).tobytes(), digest_size=16).digest()


def _normalised_lines(lines: Sequence[str], codes: np.ndarray, options: NormalizeOptions) -> list[str]:
    """:func:`normalize_lines` of ``lines`` from the code points of their NFKC-normalised join."""
    if codes.size == 0:
        return [normalize(line, options) for line in lines]
    kernels = get_kernels(0)
    if kernels is not None:
        folded, status = kernels.fold_lines(codes, _lookup_table(options), _nfkc_stable())
        if status != 1:  # else a character beyond the BMP or with a multi-character fold: numpy's way below
            out = codecs.utf_32_le_decode(folded, None, True)[0].split("\n")
            if len(out) != len(lines) or (
                status == 2 and options.nfkc and not all(unicodedata.is_normalized("NFKC", o) for o in out)
            ):
                return [normalize(line, options) for line in lines]
            return out
    newline = codes == 0x0A
    mapped = _map_codes(codes, options)
    if (mapped == _COMPLEX).any():
        return [normalize(line, options) for line in lines]
    mapped[newline] = 0x0A
    mapped = mapped[mapped != _DELETE]
    is_space = mapped == _SPACE
    mapped = mapped[~(is_space & np.concatenate(([True], is_space[:-1])))]
    out = [part.strip(" ") for part in codecs.utf_32_le_decode(mapped, None, True)[0].split("\n")]
    if len(out) != len(lines) or (
        options.nfkc and not _nfkc_stable()[mapped].all() and not all(unicodedata.is_normalized("NFKC", o) for o in out)
    ):
        return [normalize(line, options) for line in lines]
    return out


def tokens(text: str, options: NormalizeOptions = DEFAULT_OPTIONS) -> list[str]:
    """Normalise ``text`` and split it into words.

    >>> tokens("الشرعُ يرسل برقيةً")
    ['الشرع', 'يرسل', 'برقيه']
    """
    normalized = normalize(text, options)
    return normalized.split() if normalized else []
