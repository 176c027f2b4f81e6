"""The incident store (Parquet partitioned by force and month) and its canonical schema.

The names below are loaded on first use, not when the package is: `streetlight info` imports
`store.summary` and `store.access`, which need no polars, and importing this package first must
not cost it polars' second of imports.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from streetlight.store.schema import INCIDENT_SCHEMA, QUARANTINE_SCHEMA
    from streetlight.store.store import Store

__all__ = ["INCIDENT_SCHEMA", "QUARANTINE_SCHEMA", "Store"]

_HOMES = {
    "INCIDENT_SCHEMA": "streetlight.store.schema",
    "QUARANTINE_SCHEMA": "streetlight.store.schema",
    "Store": "streetlight.store.store",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(home), name)
