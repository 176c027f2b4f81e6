"""Proving forecasts on held-out months with the field's metrics (hit rate, PAI, PEI)."""
