"""`streetlight linkage series`: series among the unsolved crimes of a crime file, for an analyst.

A thin layer over the library: the default model (`LogisticLinkage`) is fitted on the reference
protocol's pairs of the solved crimes (`pairs.make_pairs`), every pair of unsolved crimes within
`--max-days` (and `--max-km`, if given) is scored (`scoring.score_all`), and the crimes are
clustered (`series.cluster_series`) and cut at `--threshold`. Writes one CSV row per unsolved
crime: its series (blank if in none), the series' size and its strongest and weakest links."""

from __future__ import annotations

import contextlib
import csv
from pathlib import Path
from typing import TYPE_CHECKING, cast

import typer

from streetlight.cli.options import OptionError
from streetlight.cli.terminal import cli_errors, out, progress_bar, tracked

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from streetlight.linkage.series import SeriesClustering

LINK_NAMES = ("single", "average", "complete")


def series_command(
    crimes: Path = typer.Option(
        ..., "--crimes", help="The crime file (CSV), solved and unsolved crimes together."
    ),
    offenders: Path = typer.Option(
        ...,
        "--offenders",
        help="The offender file (CSV): who committed each solved crime. Crimes it does not name "
        "are the unsolved ones clustered.",
    ),
    mapping: Path = typer.Option(
        ...,
        "--mapping",
        help="TOML mapping naming both files' columns, e.g. mappings/linkage-crimelinkage.toml.",
    ),
    link: str = typer.Option(
        "average",
        "--link",
        help="How clusters join: single (their most alike pair), average (the mean of their "
        "pairs) or complete (their least alike pair).",
    ),
    threshold: float = typer.Option(
        ...,
        "--threshold",
        help="Crimes joined at a log Bayes factor of at least this form a series (e.g. 2: the "
        "evidence is e^2, about 7 times likelier if one offender did both).",
    ),
    out_path: Path = typer.Option(..., "--out", help="The CSV to write (one row per crime)."),
    max_days: float = typer.Option(
        365.0,
        "--max-days",
        min=0,
        help="Only crimes whose window midpoints are at most this many days apart are compared.",
    ),
    max_km: float | None = typer.Option(
        None,
        "--max-km",
        min=0,
        help="Only crimes at most this far apart (km) are compared [default: no limit]; faster "
        "on large files, see docs/linkage-scale.md.",
    ),
    seed: int = typer.Option(1, "--seed", help="The seed of the protocol's unlinked pairs."),
    workers: int = typer.Option(
        1,
        "--workers",
        min=1,
        help="Threads scoring pairs (the default logistic model is compiled; "
        "other models: processes).",
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
) -> None:
    """Find series among the unsolved crimes: fit the default model on the solved crimes, score
    every pair of unsolved crimes near in time, cluster them and write each crime's series."""
    import numpy as np

    from streetlight.linkage.crimes import read_crimes, read_mapping, read_offenders
    from streetlight.linkage.evidence import compare
    from streetlight.linkage.identify import Link
    from streetlight.linkage.models import LogisticLinkage
    from streetlight.linkage.pairs import make_pairs
    from streetlight.linkage.pairs import series as series_of
    from streetlight.linkage.scoring import score_all
    from streetlight.linkage.series import cluster_series

    with cli_errors():
        if link not in LINK_NAMES:
            raise OptionError(f"--link: {link!r} is not one of {', '.join(LINK_NAMES)}")
        chosen = cast("Link", link)  # checked just above
        columns = read_mapping(mapping)
        table = read_crimes(crimes, columns)
        who = read_offenders(offenders, columns)
        if table.quarantined:
            out.print(f"{len(table.quarantined)} rows of {crimes} quarantined, e.g.:")
            out.print(f"  {table.quarantined[0]}")
        pairs = make_pairs(table, who, seed=seed)
        if pairs.linked.all() or not pairs.linked.any():
            missing = "unlinked" if pairs.linked.any() else "linked"
            raise OptionError(
                f"--offenders: {offenders} gives no {missing} pairs of crimes in {crimes} to "
                "learn from: it needs offenders with two or more crimes each, and several"
            )
        model = LogisticLinkage().fit(compare(table, pairs.i, pairs.j), pairs.linked, pairs.weight)
        unsolved = np.flatnonzero(series_of(table, who).group < 0)
        open_crimes = table.take(unsolved)
        out.print(
            f"{len(table):,} crimes, {len(table) - len(unsolved):,} solved: model fitted on "
            f"{len(pairs):,} pairs ({int(pairs.linked.sum()):,} linked); "
            f"{len(unsolved):,} unsolved to cluster"
        )
        bar = progress_bar("scoring", quiet)
        with bar if bar is not None else contextlib.nullcontext():
            scored = score_all(
                open_crimes,
                model,
                max_days=max_days,
                max_metres=None if max_km is None else max_km * 1000,
                workers=workers,
                progress=tracked(bar, "scoring pairs of unsolved crimes"),
            )
        try:
            found = cluster_series(
                len(open_crimes), scored.i, scored.j, scored.log_bf, link=chosen,
                threshold=threshold,
            )  # fmt: skip
        except ValueError as exc:
            raise OptionError(f"--threshold: {exc}") from None
        try:
            _write(out_path, open_crimes.ids, found)
        except OSError as exc:
            raise OptionError(f"--out: {out_path}: cannot write it ({exc.strerror})") from None
        sizes = [len(s) for s in found.series]
        out.print(
            f"{len(scored):,} pairs scored; {len(sizes):,} series ({sum(sizes):,} crimes, "
            f"largest {max(sizes, default=0)}) at log BF >= {threshold:g}, {link} link; "
            f"written to {out_path}"
        )


def _write(path: Path, names: npt.NDArray[np.str_], found: SeriesClustering) -> None:
    """One row per crime, those in series first (by series), then the rest in file order."""
    import numpy as np

    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["crime_id", "series", "series_size", "strongest_log_bf", "weakest_log_bf"])
        for k, s in enumerate(found.series, start=1):
            for row in s.rows:
                writer.writerow(
                    [
                        names[row],
                        k,
                        len(s),
                        f"{s.strongest_log_bf:.3f}",
                        f"{s.weakest_log_bf:.3f}",
                    ]
                )
        for row in np.flatnonzero(found.label < 0):
            writer.writerow([names[row], "", "", "", ""])
