"""Square grids aligned to multiples of the cell size in a projected CRS.

Alignment to the origin (not to the data's corner) means grids made by any tool, any day, with the
same cell size line up cell for cell (DESIGN.md, Grid).
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl


@dataclass(frozen=True)
class Grid:
    """Cells of `cell_size` metres; cell (i, j) covers [i*s, (i+1)*s) x [j*s, (j+1)*s)."""

    cell_size: float

    def __post_init__(self) -> None:
        if not self.cell_size > 0:
            raise ValueError(f"cell size must be positive metres, not {self.cell_size!r}")

    def index(self, x: pl.Expr, y: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
        """Cell column and row of points (floor division, so negatives align too)."""
        return (
            (x / self.cell_size).floor().cast(pl.Int64).alias("i"),
            (y / self.cell_size).floor().cast(pl.Int64).alias("j"),
        )

    def centre(self, i: pl.Expr, j: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
        """Cell-centre coordinates in metres."""
        return (
            ((i.cast(pl.Float64) + 0.5) * self.cell_size).alias("x"),
            ((j.cast(pl.Float64) + 0.5) * self.cell_size).alias("y"),
        )

    def cell_id(self, i: pl.Expr, j: pl.Expr) -> pl.Expr:
        """A readable, stable id: `"<size>m:<i>:<j>"`."""
        return pl.format(f"{self.cell_size:g}m:{{}}:{{}}", i, j).alias("cell_id")

    def cells_of(self, incidents: pl.DataFrame) -> pl.DataFrame:
        """The distinct cells (i, j) that hold at least one located incident."""
        return (
            incidents.drop_nulls(["x", "y"])
            .select(*self.index(pl.col("x"), pl.col("y")))
            .unique()
            .sort(["i", "j"])
        )
