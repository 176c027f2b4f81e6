"""Options several commands share, declared once so their names and help never drift apart."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from streetlight.errors import StreetlightError

StoreOption = Annotated[
    Path | None,
    typer.Option(
        "--store", help="Store folder [default: $STREETLIGHT_STORE or ./streetlight-data]."
    ),
]
ForceOption = Annotated[
    str | None, typer.Option("--force", help="Force (needed when the store has several).")
]
CellOption = Annotated[float, typer.Option("--cell", min=10.0, help="Cell size, metres.")]
BoundaryOption = Annotated[
    Path | None,
    typer.Option("--boundary", help="GeoJSON polygons: the study area and the map's outlines."),
]
HarmOption = Annotated[
    Path | None,
    typer.Option("--harm", help="Harm-weight table (TOML; see data/harm/template.toml)."),
]
CategoryOption = Annotated[list[str], typer.Option("--category", help="Crime type(s) to forecast.")]

# Patrol plans (`plan`, `plan-backtest`)
ShiftsOption = Annotated[str, typer.Option("--shifts", help="Share of officers per shift.")]
UnitSizeOption = Annotated[
    int, typer.Option("--unit-size", min=1, max=2, help="Officers per unit.")
]
RadiusOption = Annotated[
    float, typer.Option("--radius", min=50.0, help="Foot-patrol radius, metres.")
]
MaxPerPostOption = Annotated[
    int, typer.Option("--max-per-post", min=1, help="Most units at one post.")
]
WomenShareOption = Annotated[
    float,
    typer.Option(
        "--women-share", min=0.0, max=1.0, help="Least share of units at women's-safety places."
    ),
]
TimeLimitOption = Annotated[
    float, typer.Option("--time-limit", min=1.0, help="Solver seconds per shift.")
]
ModelOption = Annotated[
    str | None, typer.Option("--model", help="Forecast model [default: recommended].")
]
PlacesOption = Annotated[
    Path | None,
    typer.Option(
        "--places", help="GeoJSON of busy places (properties: name, kind, weight, womens_safety)."
    ),
]
BusyWeightOption = Annotated[
    float,
    typer.Option(
        "--busy-weight",
        min=0.0,
        help="Extra demand at cells whose snap point is a busy place, in hot-cell equivalents.",
    ),
]
DEFAULT_SHIFTS = "early:0.3,late:0.35,night:0.35"

# The operational database: `--store` and `--database` mean the same in every command.
DatabaseOption = Annotated[
    str | None,
    typer.Option(
        "--database",
        envvar="STREETLIGHT_DATABASE_URL",
        help="sqlite:///FILE or postgresql+psycopg://USER@HOST/NAME "
        "[default: $STREETLIGHT_DATABASE_URL, else streetlight.db in the store folder].",
        show_default=False,
    ),
]
DataOption = Annotated[
    Path | None,
    typer.Option(
        "--store", help="Data folder [default: $STREETLIGHT_STORE or ./streetlight-data]."
    ),
]


def database_url(store: Path | None, database: str | None) -> str:
    from streetlight.db.engine import sqlite_url
    from streetlight.store.store import default_store_path

    return database or sqlite_url(store or default_store_path())


def parse_shares(text: str, what: str) -> dict[str, float]:
    """`name:value,name:value` (e.g. --shifts, --profile) as a dict; `what` names the flag."""
    try:
        pairs = [part.split(":") for part in text.split(",") if part.strip()]
        return {name.strip(): float(value) for name, value in pairs}
    except ValueError as exc:
        raise StreetlightError(f"{what}: use name:value,name:value ({text!r})") from exc
