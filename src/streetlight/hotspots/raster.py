"""Moving per-cell values between the study area's cell list and a dense 2-D array.

Smoothing (KDE, prospective weights) is a convolution, which wants a dense array over the study
area's bounding box; estimators return values in study-area order. A margin of empty cells keeps
kernels from wrapping or being cut at the box edge.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from streetlight.hotspots.base import FloatArray, StudyArea


@dataclass(frozen=True)
class Raster:
    """The dense box of an area's cells, `margin` cells wider on every side."""

    i0: int
    j0: int
    width: int
    height: int

    @classmethod
    def of(cls, area: StudyArea, margin: int = 0) -> Raster:
        i0, j0, w, h = area.dense_shape()
        return cls(i0 - margin, j0 - margin, w + 2 * margin, h + 2 * margin)

    def dense(self, area: StudyArea, values: FloatArray) -> FloatArray:
        """Study-area values in a (width, height) array, zeros elsewhere."""
        out = np.zeros((self.width, self.height))
        out[area.i - self.i0, area.j - self.j0] = values
        return out

    def dense_stack(self, area: StudyArea, values: FloatArray) -> FloatArray:
        """Rows of study-area values (shape (n, cells)) as a (n, width, height) array."""
        out = np.zeros((values.shape[0], self.width, self.height))
        out[:, area.i - self.i0, area.j - self.j0] = values
        return out

    def sample(self, area: StudyArea, grid: FloatArray) -> FloatArray:
        """The study-area cells' values from a (..., width, height) array."""
        return np.asarray(grid[..., area.i - self.i0, area.j - self.j0], dtype=np.float64)
