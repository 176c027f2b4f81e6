"""`streetlight unit disparity` and `streetlight unit dpia-export`: a harm ranking's list
against the people it is drawn from (by age band, sex and self-defined ethnicity: counts, shares,
ratios and the offences behind any difference), and the material for the force's data protection
impact assessment (inputs, weights, retention rules and that report). Both name groups and
counts only, never a person; each reading is recorded in the audit log by its counts."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from streetlight.cli.options import (
    DatabaseOption,
    DataOption,
    ForceZoneOption,
    OptionError,
    database_url,
    force_zone,
)
from streetlight.cli.terminal import cli_errors, out

if TYPE_CHECKING:
    from streetlight.unit.disparity import DisparityReport
    from streetlight.unit.ranking import Ranking

_METHODS = ("v100", "rfgv", "count", "recent")

AsOf = Annotated[
    str,
    typer.Option(
        "--as-of",
        help="The ranking's date, YYYY-MM-DD (the force's local date): allegations reported on "
        "or before it count, and only those; ages are on this date.",
    ),
]
Method = Annotated[
    str,
    typer.Option("--method", help="v100, rfgv, count or recent (as `streetlight unit rank`)."),
]
Top = Annotated[int, typer.Option("--top", min=1, help="How many people the list holds.")]
Weights = Annotated[
    Path | None,
    typer.Option(
        "--weights",
        help="CCHI days per offence subgroup (CSV as the packaged cchi_subgroups.csv) "
        "[default: the packaged table].",
    ),
]
RfgvWeights = Annotated[
    Path | None,
    typer.Option(
        "--rfgv-weights", help="rfgv's points (TOML as rfgv.toml) [default: the packaged file]."
    ),
]


def disparity_command(
    as_of: AsOf,
    method: Method = "v100",
    top: Top = 100,
    out_file: Annotated[
        Path | None,
        typer.Option("--out", help="Write the report here as Markdown (and JSON beside it)."),
    ] = None,
    weights: Weights = None,
    rfgv_weights: RfgvWeights = None,
    timezone: ForceZoneOption = "Europe/London",
    store: DataOption = None,
    database: DatabaseOption = None,
) -> None:
    """Compare a ranking's top N with everyone it ranked, by age band, sex and self-defined
    ethnicity (no names, no tokens; small counts suppressed), recorded in the audit log."""
    from streetlight.unit.fairness_casework import DISPARITY_SUBJECT

    with cli_errors():
        url = database_url(store, database)
        report = _report(
            as_of, method, top, (weights, rfgv_weights), timezone, url, DISPARITY_SUBJECT
        )
        text = report.to_markdown()
        if out_file is not None:
            out_file.write_text(text, encoding="utf-8")
            out_file.with_suffix(".json").write_text(report.to_json(), encoding="utf-8")
    if out_file is None:
        out.print(text, soft_wrap=True, markup=False, highlight=False)
    else:
        out.print(
            f"{method} as of {report.as_of}: the first {report.listed:,} of {report.population:,} "
            f"ranked; {sum(r.flagged for r in report.rows)} group(s) flagged. Written to "
            f"{out_file} and {out_file.with_suffix('.json')}.",
            soft_wrap=True,
        )


def dpia_export_command(
    as_of: AsOf,
    out_dir: Annotated[
        Path,
        typer.Option("--out", help="A new folder (or a path ending .zip) for the export."),
    ],
    method: Method = "v100",
    top: Top = 100,
    weights: Weights = None,
    rfgv_weights: RfgvWeights = None,
    timezone: ForceZoneOption = "Europe/London",
    store: DataOption = None,
    database: DatabaseOption = None,
) -> None:
    """Write the material for the force's data protection impact assessment of the list: the
    inputs (tables and columns), the weights in use and their source, the retention rules and
    the disparity report as of the date. No personal data."""
    from streetlight.unit.dpia import dpia_files, read_weight_files, write_dpia
    from streetlight.unit.fairness_casework import DPIA_SUBJECT
    from streetlight.unit.harm import SUBGROUP_HARM
    from streetlight.unit.ranking_weights import RFGV_WEIGHTS

    with cli_errors():
        if out_dir.exists() and (out_dir.suffix.lower() == ".zip" or any(out_dir.iterdir())):
            raise OptionError(f"--out: {out_dir} exists and is not an empty folder")
        sources = read_weight_files(weights or SUBGROUP_HARM, rfgv_weights or RFGV_WEIGHTS)
        url = database_url(store, database)
        report = _report(as_of, method, top, (weights, rfgv_weights), timezone, url, DPIA_SUBJECT)
        files = dpia_files(
            report,
            harm=sources["harm"],
            harm_attribution=sources["harm_attribution"],
            rfgv=sources["rfgv"],
        )
        written = write_dpia(files, out_dir)
    out.print(
        f"DPIA material ({len(files)} files, no personal data) written to {written}.",
        soft_wrap=True,
    )


def _report(
    as_of: str,
    method: str,
    top: int,
    weights: tuple[Path | None, Path | None],
    timezone: str,
    url: str,
    subject: str,
) -> DisparityReport:
    from datetime import UTC, datetime

    from sqlalchemy.orm import Session

    from streetlight.db.engine import session_factory
    from streetlight.db.migrate import open_database
    from streetlight.unit.fairness_casework import disparity_casework

    day = _day(as_of)
    ranking = _ranking(method, weights, timezone)
    engine = open_database(url)
    try:
        session: Session
        with session_factory(engine).begin() as session:
            return disparity_casework(
                session, ranking, as_of=day, top=top, actor="cli", now=datetime.now(UTC),
                subject=subject,
            )  # fmt: skip
    finally:
        engine.dispose()


def _day(as_of: str) -> date:
    try:
        return date.fromisoformat(as_of)
    except ValueError:
        raise OptionError(f"--as-of: {as_of!r} is not a date (YYYY-MM-DD)") from None


def _ranking(method: str, weights: tuple[Path | None, Path | None], timezone: str) -> Ranking:

    from streetlight.unit.ranking import Ranking
    from streetlight.unit.ranking_weights import read_harm_weights, read_rfgv_weights

    if method not in _METHODS:
        raise OptionError(f"--method: {method!r} is not one of {', '.join(_METHODS)}")
    force_zone(timezone)
    harm, rfgv = weights
    return Ranking(
        method=method,
        harm=read_harm_weights(harm) if harm else None,
        rfgv=read_rfgv_weights(rfgv) if rfgv else None,
        zone=timezone,
    )
