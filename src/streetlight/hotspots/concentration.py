"""How concentrated crime is on a grid: the share of crime in the top few per cent of places.

This is the descriptive "law of crime concentration" view (Weisburd 2015, Criminology 53(2)): a
small share of street segments or cells holds a large share of crime. It is what a planner asks
first, and it uses the same study area and ranking conventions as the forecast metrics in DESIGN.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import polars as pl

from streetlight.geo.grid import Grid


@dataclass(frozen=True)
class Concentration:
    """Crime counts per study-area cell, ranked.

    Attributes:
        cells: one row per study-area cell: `cell_id, i, j, x, y, count, rank, cum_share,
            top_location` (rank 1 = most crime; ties broken by cell id).
        crimes: located crimes counted.
        cell_size: metres.
    """

    cells: pl.DataFrame
    crimes: int
    cell_size: float

    @property
    def study_cells(self) -> int:
        return self.cells.height

    def top_k(self, coverage_pct: float) -> int:
        """Cells in the top `coverage_pct` per cent of the study area (at least one)."""
        return max(1, round(self.study_cells * coverage_pct / 100.0))

    def share_in_top(self, coverage_pct: float) -> float:
        """Share of crimes in the top `coverage_pct` per cent of cells (0..1)."""
        if self.crimes == 0:
            return 0.0
        k = self.top_k(coverage_pct)
        return float(self.cells["count"].head(k).sum()) / self.crimes

    def area_holding(self, crime_share: float) -> float:
        """Smallest share of the study area (0..1) whose cells hold `crime_share` of the crimes."""
        if self.crimes == 0:
            return math.nan
        reached = self.cells.filter(pl.col("cum_share") >= crime_share - 1e-12)
        first_rank = int(reached["rank"].to_numpy().min())
        return first_rank / self.study_cells


def concentration(
    crimes: pl.DataFrame, study_area: pl.DataFrame, cell_size: float = 150.0
) -> Concentration:
    """Rank the cells of `study_area` (incidents defining it) by the number of `crimes` in them.

    Both frames are in the canonical incident schema; rows without x/y are not placed.
    """
    grid = Grid(cell_size)
    cells = grid.cells_of(study_area)
    located = crimes.drop_nulls(["x", "y"]).with_columns(*grid.index(pl.col("x"), pl.col("y")))
    counts = located.group_by(["i", "j"]).agg(
        pl.len().alias("count"),
        pl.col("location").drop_nulls().mode().sort().first().alias("top_location"),
    )
    ranked = (
        cells.join(counts, on=["i", "j"], how="full", coalesce=True)
        .with_columns(
            pl.col("count").fill_null(0).cast(pl.Int64), grid.cell_id(pl.col("i"), pl.col("j"))
        )
        .with_columns(*grid.centre(pl.col("i"), pl.col("j")))
        .sort(["count", "cell_id"], descending=[True, False])
        .with_row_index("rank", offset=1)
    )
    total = int(ranked["count"].sum())
    ranked = ranked.with_columns(
        (pl.col("count").cum_sum() / max(total, 1)).alias("cum_share")
    ).select(
        "cell_id",
        "i",
        "j",
        "x",
        "y",
        "count",
        pl.col("rank").cast(pl.Int64),
        "cum_share",
        "top_location",
    )
    return Concentration(ranked, total, cell_size)
