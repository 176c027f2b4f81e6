"""An export for the force's data protection impact assessment of its harm-ranking list: what the
list reads, the weights in use and where they come from, the retention rules in words, and the
latest disparity report; and of the casework's crime linkage (the unsolved offences that may be
a person's): what it reads, how, its limits, who sees it, the audit and retention.

Why: a list of people processed for law enforcement needs a DPIA (Data Protection Act 2018,
s. 64) that a data protection officer can check against what the software does, not against a
description of it; so the export is generated from the code's own tables, weights and rules.
It holds no personal data: columns are named, never their values; the disparity report is
counts of groups with small counts suppressed; no token, name or force reference appears.

`dpia_files` builds the files (name to bytes: pure, given the weight files' contents);
`write_dpia` writes them to a folder, or a zip when the path ends in ".zip".
"""

from __future__ import annotations

import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from streetlight.unit.disparity import DIMENSIONS, DisparityReport
from streetlight.unit.errors import ExportError
from streetlight.unit.extract import LINKS, OFFENCES, PEOPLE, Table
from streetlight.unit.harm import SUBGROUP_HARM, SUBGROUP_HARM_NOTE
from streetlight.unit.linkage_casework import CATEGORICAL, TOP, WINDOW_DAYS, default_model
from streetlight.unit.ranking_weights import RFGV_WEIGHTS
from streetlight.unit.retention import RULES

ATTRIBUTION = Path(__file__).resolve().parent / "CCHI_SUBGROUPS.md"


@dataclass(frozen=True)
class Input:
    """A column the list reads, and why."""

    table: Table
    column: str
    purpose: str


INPUTS: tuple[Input, ...] = (
    Input(OFFENCES, "offence_ref", "to join an allegation to its people, and to explain a score"),
    Input(OFFENCES, "ho_code", "the Home Office code: its subgroup gives the CCHI weight"),
    Input(OFFENCES, "vawg", "v100 and the naive rankings read VAWG allegations only"),
    Input(OFFENCES, "reported_at", "the window: only allegations reported in it count"),
    Input(OFFENCES, "relationship", "rfgv reads domestic abuse only (partner, ex-partner, family)"),
    Input(LINKS, "person_ref", "who is named (as a unit token; the force's id is never shown)"),
    Input(LINKS, "offence_ref", "which allegation"),
    Input(LINKS, "role", "suspects are ranked; victims are counted per suspect"),
    Input(PEOPLE, "date_of_birth", "the disparity report's age band only; not in any score"),
    Input(PEOPLE, "sex", "the disparity report only; not in any score"),
    Input(PEOPLE, "ethnicity", "the disparity report only (self-defined); not in any score"),
)


LINKAGE_INPUTS: tuple[Input, ...] = (
    Input(OFFENCES, "offence_ref", "names an unsolved offence in a result and in a decision"),
    Input(OFFENCES, "ho_code", "its subgroup: whether two offences are of the same type"),
    Input(OFFENCES, "vawg", "whether two offences share the VAWG flag"),
    Input(OFFENCES, "occurred_from", "how far apart in time, time of day and day of the week"),
    Input(OFFENCES, "occurred_to", "the window an offence is known only within"),
    Input(OFFENCES, "x", "how far apart in place (with y); an offence without one is left out"),
    Input(OFFENCES, "y", "how far apart in place (with x)"),
    Input(OFFENCES, "relationship", "whether the suspect-victim relationship is the same"),
    Input(LINKS, "person_ref", "whose offences as suspect are compared (as a unit token)"),
    Input(LINKS, "offence_ref", "which offences are solved (a suspect link) and whose"),
    Input(LINKS, "role", "suspects only: an offence with no suspect is unsolved"),
)


def _linkage_markdown() -> str:
    for i in LINKAGE_INPUTS:  # a renamed column must fail here too
        i.table.column(i.column)
    variables = ", ".join(CATEGORICAL.values())
    lines = [
        "# Crime linkage: offences that may be a person's",
        "",
        "For a person in the casework, the unsolved offences (no suspect linked) most like "
        f"their offences as suspect, within {WINDOW_DAYS:.0f} days of one of them; the first "
        f"{TOP} are shown on the person's record to unit officers and supervisors, and by "
        "`streetlight unit linked` on the command line. Each comes with its score (a log Bayes "
        "factor) and the evidence in words: distance, days apart, time of day, day of the week, "
        f"and whether these are the same: {variables}.",
        "",
        f"Model: {default_model().name} (streetlight.linkage.models), fitted on the unit's own "
        "solved offences by the reference protocol of crimelinkage (Porter 2016): pairs of "
        "offences by one suspect against pairs by unconnected suspects.",
        "",
        "Limits: a prompt for investigation, never evidence in itself. The model learns from "
        "the offences the unit has solved, so any bias in whose offences get solved (who is "
        "reported, stopped, suspected) carries over to whose are suggested.",
        "",
        "Decisions: a unit supervisor accepts an offence for investigation or rejects it, "
        "always with a reason; the score and the model at the time are kept with it.",
        "",
        "Audit: every showing of a person's results is a consultation of their record; every "
        "decision an alteration, with its reason (by unit token, never by name).",
        "",
        "Retention: the decisions are deleted with the person's record (erasure at review) or "
        "with the offence; results are computed when shown and never stored.",
        "",
        "| table | column | why |",
        "|---|---|---|",
        *(f"| {i.table.name} | {i.column} | {i.purpose} |" for i in LINKAGE_INPUTS),
    ]
    return "\n".join(lines) + "\n"


def _inputs_markdown() -> str:
    for i in INPUTS:  # a renamed column must fail here, not leave the DPIA out of date
        i.table.column(i.column)
    lines = [
        "# Inputs of the harm-ranking list",
        "",
        "Columns of the unit's extract (see streetlight/unit/extract.py) that the rankings and the "
        "disparity report read. Names of people and the force's own person ids are not read by "
        "either: people are keyed by a random unit token.",
        "",
        "| table | column | why |",
        "|---|---|---|",
        *(f"| {i.table.name} | {i.column} | {i.purpose} |" for i in INPUTS),
        "",
        f"The disparity report compares the list with the people ranked by {', '.join(DIMENSIONS)}.",
    ]
    return "\n".join(lines) + "\n"


def _readme(report: DisparityReport | None) -> str:
    latest = (
        f"disparity.md and disparity.json: the latest disparity report ({report.method} as of "
        f"{report.as_of}, the first {report.listed:,} of {report.population:,} ranked)."
        if report is not None
        else "No disparity report: nobody was ranked on the date."
    )
    return (
        "# Harm-ranking list: material for the data protection impact assessment\n\n"
        "Generated by Streetlight. It holds no personal data: column names, weights, rules and "
        "counts of groups (small counts suppressed).\n\n"
        "- inputs.md: the tables and columns the list reads, and why.\n"
        "- weights/cchi_subgroups.csv and weights/CCHI_SUBGROUPS.md: the CCHI days per offence "
        "subgroup in use and their source and caveats.\n"
        "- weights/rfgv.toml: the rfgv ranking's points, each documented.\n"
        "- retention.md: the retention rules.\n"
        "- linkage.md: the casework's crime linkage (offences that may be a person's): what it "
        "reads, its limits, decisions, audit and retention.\n"
        f"- {latest}\n\n"
        f"{SUBGROUP_HARM_NOTE}\n"
    )


def dpia_files(
    report: DisparityReport | None,
    *,
    harm: bytes,
    harm_attribution: bytes,
    rfgv: bytes,
) -> dict[str, bytes]:
    """The export's files by name: `harm` and `rfgv` are the weight files in use (their bytes),
    `harm_attribution` the CCHI table's source and caveats."""
    files = {
        "README.md": _readme(report).encode(),
        "inputs.md": _inputs_markdown().encode(),
        "weights/cchi_subgroups.csv": harm,
        "weights/CCHI_SUBGROUPS.md": harm_attribution,
        "weights/rfgv.toml": rfgv,
        "retention.md": f"# Retention of the harm-ranking list\n\n{RULES}\n".encode(),
        "linkage.md": _linkage_markdown().encode(),
    }
    if report is not None:
        files["disparity.md"] = report.to_markdown().encode()
        files["disparity.json"] = report.to_json().encode()
    return files


def read_weight_files(harm: Path = SUBGROUP_HARM, rfgv: Path = RFGV_WEIGHTS) -> Mapping[str, bytes]:
    """The weight files' bytes, as `dpia_files` takes them. The attribution is the packaged
    table's; a force's own table must bring its own, so a note says so."""
    attribution = ATTRIBUTION.read_bytes()
    if harm.resolve() != SUBGROUP_HARM.resolve():
        attribution = (
            f"The force's own table ({harm.name}) is in use; the packaged table's attribution "
            "follows for comparison.\n\n"
        ).encode() + attribution
    return {"harm": harm.read_bytes(), "harm_attribution": attribution, "rfgv": rfgv.read_bytes()}


def write_dpia(files: Mapping[str, bytes], out: Path) -> Path:
    """Write `files` into the folder `out` (made if absent), or the zip `out` if it ends in
    ".zip"; refuses to write into a folder that has files already."""
    if out.suffix.lower() == ".zip":
        if out.exists():
            raise ExportError(f"{out}: exists already: give a new path")
        out.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in sorted(files.items()):
                archive.writestr(name, data)
        return out
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise ExportError(f"{out}: exists and is not an empty folder: give a new path")
    for name, data in files.items():
        path = out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return out
