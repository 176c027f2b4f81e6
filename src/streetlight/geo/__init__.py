"""Coordinate reference systems and grids."""
