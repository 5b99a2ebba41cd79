"""Settings from ``[tool.dedup]`` in a pyproject.toml, or from a dedup.toml, found from the working directory up.

Command-line options override the file. Keys are the long option names with ``_`` or ``-``
(``threshold = 0.6``, ``keep = "earliest"``, ``prefer = ["spa.gov.sa"]``, ``site-min-docs = 5``, ``rules = "x.toml"``).

>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp()); _ = (d / "dedup.toml").write_text("threshold = 0.7\\n")
>>> load_config(d)[0]["threshold"]
0.7
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

KNOWN_KEYS = {
    "threshold", "containment", "ngram", "num_perm", "seed", "lsh_threshold", "keep", "prefer", "templates",
    "site_boilerplate", "site_min_docs", "site_min_share", "rules", "id_field", "text_field", "html_field",
    "title_field", "url_field", "date_field", "source_field", "strict",
}


# The type each setting must have: a wrong type ("threshold = \"high\"") is reported here, with the file, instead
# of failing later as a TypeError deep inside the run.
_NUMBER = (int, float)
KEY_TYPES: dict[str, tuple[type, ...]] = {
    **dict.fromkeys(("threshold", "containment", "lsh_threshold", "site_min_share"), _NUMBER),
    **dict.fromkeys(("ngram", "num_perm", "seed", "site_min_docs"), (int,)),
    **dict.fromkeys(("templates", "site_boilerplate", "strict"), (bool,)),
    **dict.fromkeys(("keep", "rules", "id_field", "text_field", "html_field", "title_field", "url_field",
                     "date_field", "source_field"), (str,)),
}


class ConfigError(ValueError):
    pass


def _check_types(path: Path, settings: dict[str, Any]) -> None:
    for key, value in settings.items():
        if key == "prefer":
            ok = isinstance(value, str) or (isinstance(value, list) and all(isinstance(v, str) for v in value))
            expected = "a string or a list of strings"
        else:
            types = KEY_TYPES[key]
            # bool is an int in Python, but "ngram = true" is a mistake, not 1.
            ok = isinstance(value, types) and (bool in types or not isinstance(value, bool))
            expected = {_NUMBER: "a number", (int,): "an integer", (bool,): "true or false"}.get(types, "a string")
        if not ok:
            raise ConfigError(f"{path}: setting {key!r} must be {expected}, got {value!r}")


def load_config(start: str | Path | None = None) -> tuple[dict[str, Any], Path | None]:
    """Settings from the nearest dedup.toml or pyproject.toml with a [tool.dedup] table, and its path."""
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        for name in ("dedup.toml", "pyproject.toml"):
            path = folder / name
            if not path.is_file():
                continue
            try:
                data = tomllib.loads(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
                raise ConfigError(f"{path}: cannot read settings ({err})") from None
            table = data if name == "dedup.toml" else data.get("tool", {}).get("dedup")
            if table is None:
                continue
            settings = {key.replace("-", "_"): value for key, value in table.items()}
            unknown = set(settings) - KNOWN_KEYS
            if unknown:
                raise ConfigError(f"{path}: unknown dedup settings {sorted(unknown)}")
            _check_types(path, settings)
            if "rules" in settings:
                settings["rules"] = str((path.parent / settings["rules"]).resolve())
            return settings, path
    return {}, None
