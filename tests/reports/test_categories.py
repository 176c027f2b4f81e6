"""The report vocabulary's encodings."""

from __future__ import annotations

from streetlight.reports.categories import Factor, factor_mask, factors_of


def test_factor_masks_round_trip() -> None:
    assert factor_mask([]) == 0
    assert factors_of(factor_mask([Factor.OTHER, Factor.POOR_LIGHTING])) == (
        Factor.POOR_LIGHTING,
        Factor.OTHER,
    )
    assert factors_of((1 << 11) - 1) == tuple(Factor)
