"""Options several commands share, declared once so their names and help never drift apart."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

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
