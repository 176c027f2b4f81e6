"""Which demand cells a foot patrol at a post covers: those within the coverage radius.

Posts and demand cells are cells of one grid; a post covers every demand cell whose centre lies
within `radius` metres of the post cell's centre. The result is a sparse post -> cells table
(CSR: `indptr`, `indices`), built with one sorted-key lookup per offset, not a loop over posts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

IntArray = NDArray[np.int64]


@dataclass(frozen=True)
class Coverage:
    """Post p covers demand cells `indices[indptr[p]:indptr[p + 1]]`."""

    indptr: IntArray
    indices: IntArray
    n_cells: int

    @property
    def n_posts(self) -> int:
        return len(self.indptr) - 1

    def cells_of(self, post: int) -> IntArray:
        return self.indices[self.indptr[post] : self.indptr[post + 1]]


def _keys(i: IntArray, j: IntArray) -> IntArray:
    return (i + (1 << 31)) * (1 << 32) + (j + (1 << 31))


def coverage(
    post_i: IntArray,
    post_j: IntArray,
    cell_i: IntArray,
    cell_j: IntArray,
    radius: float,
    cell_size: float,
) -> Coverage:
    """Posts at cells (post_i, post_j) covering demand cells (cell_i, cell_j) within `radius` m."""
    reach = int(np.floor(radius / cell_size))
    di, dj = np.meshgrid(np.arange(-reach, reach + 1), np.arange(-reach, reach + 1), indexing="ij")
    near = np.hypot(di, dj) * cell_size <= radius + 1e-9
    offsets = np.column_stack([di[near], dj[near]])
    order = np.argsort(_keys(cell_i, cell_j), kind="stable")
    sorted_keys = _keys(cell_i, cell_j)[order]
    posts, cells = [], []
    for oi, oj in offsets:
        wanted = _keys(post_i + oi, post_j + oj)
        pos = np.clip(np.searchsorted(sorted_keys, wanted), 0, max(len(sorted_keys) - 1, 0))
        hit = (
            (len(sorted_keys) > 0) & (sorted_keys[pos] == wanted)
            if len(sorted_keys)
            else np.zeros(len(wanted), bool)
        )
        posts.append(np.flatnonzero(hit))
        cells.append(order[pos[hit]])
    post_idx = np.concatenate(posts) if posts else np.zeros(0, np.int64)
    cell_idx = np.concatenate(cells) if cells else np.zeros(0, np.int64)
    by_post = np.lexsort((cell_idx, post_idx))
    post_idx, cell_idx = post_idx[by_post], cell_idx[by_post]
    indptr = np.zeros(len(post_i) + 1, dtype=np.int64)
    np.add.at(indptr, post_idx + 1, 1)
    return Coverage(np.cumsum(indptr), cell_idx.astype(np.int64), len(cell_i))
