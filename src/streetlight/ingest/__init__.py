"""Reading police-recorded crime into the incident store: data.police.uk files and force exports."""

from streetlight.ingest.pipeline import IngestReport, ingest

__all__ = ["IngestReport", "ingest"]
