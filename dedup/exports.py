"""A package's public names imported when first asked for (a module ``__getattr__``, PEP 562): ``import dedup``
or ``import dedup.index`` must not load numpy, the pipeline or the index's stores for a command that uses none.

>>> getattr_ = lazy_attributes("dedup", {"sqrt": "math"}, keep=False)
>>> getattr_("sqrt")(4.0)
2.0
>>> getattr_("cbrt")
Traceback (most recent call last):
AttributeError: module 'dedup' has no attribute 'cbrt'
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from typing import Any


def lazy_attributes(package: str, sources: Mapping[str, str], keep: bool = True) -> Callable[[str], Any]:
    """The ``__getattr__`` of ``package``: each name of ``sources`` is read from the module it maps to when first
    asked for; ``keep``: then set on the package, so that later lookups skip this hook."""

    def __getattr__(name: str) -> Any:
        source = sources.get(name)
        if source is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(source), name)
        if keep:
            setattr(sys.modules[package], name, value)
        return value

    return __getattr__
