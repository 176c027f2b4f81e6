"""The hotspot fixtures serve the evaluation tests too."""

from tests.hotspots.conftest import sample_events, square_area

__all__ = ["sample_events", "square_area"]
