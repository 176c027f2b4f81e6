"""Where harm concentrates, and (later) forecasts of where it will."""

from streetlight.hotspots.concentration import Concentration, concentration

__all__ = ["Concentration", "concentration"]
