"""The incident store (Parquet partitioned by force and month) and its canonical schema."""

from streetlight.store.schema import INCIDENT_SCHEMA, QUARANTINE_SCHEMA
from streetlight.store.store import Store

__all__ = ["INCIDENT_SCHEMA", "QUARANTINE_SCHEMA", "Store"]
