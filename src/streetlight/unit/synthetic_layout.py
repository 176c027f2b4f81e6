"""The synthetic force's extract as a force would hand it over: its own file names, column
headers and words, UK date-times, and a few columns the import does not need.

Synthetic: the layout is invented to look like a records-management export (it follows no real
system), so that the import is exercised on a layout that is not Streetlight's own. `MAPPING`
is the mapping file that reads it back (`mappings/unit-synthetic.toml`, which a test keeps equal
to `mapping_toml()`).
"""

from __future__ import annotations

import zipfile
from collections.abc import Mapping
from pathlib import Path

import polars as pl

from streetlight.db.enums import (
    BailAuthority,
    BailKind,
    OrderKind,
    PersonRole,
    Relationship,
    Sex,
)
from streetlight.unit.extract import TABLES, Kind, read_offence_codes

MAPPING = Path("mappings") / "unit-synthetic.toml"  # in the repository
NAME = "Synthetic force (not real people)"
TIMEZONE = "Europe/London"
CRS = "EPSG:27700"
DATETIME_FORMAT = "%d/%m/%Y %H:%M"
DATE_FORMAT = "%d/%m/%Y"
YES, NO = "Y", "N"
# The last column of every file, in every row: a file copied out of its folder, or a row pasted
# out of its file, still says that nobody in it is real. The mapping does not read it.
SYNTHETIC_HEADER = "Synthetic"
SYNTHETIC_MARK = "SYNTHETIC - NOT REAL"

FILES = {
    "offences": "crimes.csv",
    "people": "nominals.csv",
    "links": "crime_nominals.csv",
    "arrests": "custody.csv",
    "bail": "bail.csv",
    "orders": "orders.csv",
}
TABLE_OF = {file: name for name, file in FILES.items()}
# Canonical column -> the force's header, per table, in the files' column order.
HEADERS: dict[str, dict[str, str]] = {
    "offences": {
        "offence_ref": "CrimeRef",
        "ho_code": "HO Code",
        "category": "Crime Category",
        "vawg": "VAWG Flag",
        "occurred_from": "Committed From",
        "occurred_to": "Committed To",
        "reported_at": "Reported Date",
        "x": "Easting",
        "y": "Northing",
        "relationship": "Suspect Victim Relationship",
    },
    "people": {
        "person_ref": "Nominal Ref",
        "surname": "Surname",
        "forenames": "Forenames",
        "date_of_birth": "DOB",
        "sex": "Gender",
        "ethnicity": "SDE",
    },
    "links": {
        "offence_ref": "CrimeRef",
        "person_ref": "Nominal Ref",
        "role": "Involvement",
    },
    "arrests": {
        "arrest_ref": "Custody Ref",
        "person_ref": "Nominal Ref",
        "offence_ref": "CrimeRef",
        "arrested_at": "Arrest Date Time",
        "charged_at": "Charge Date Time",
        "outcome": "Outcome",
        "outcome_at": "Outcome Date Time",
    },
    "bail": {
        "bail_ref": "Bail Ref",
        "person_ref": "Nominal Ref",
        "offence_ref": "CrimeRef",
        "kind": "Bail Type",
        "starts": "Bail Start",
        "expires": "Bail Expiry",
        "authority": "Authorised By",
        "conditions": "Bail Conditions",
        "victim_views_sought": "Victim Views Sought",
    },
    "orders": {
        "order_ref": "Order Ref",
        "person_ref": "Subject Nominal Ref",
        "kind": "Order Type",
        "starts": "Start Date",
        "expires": "Expiry Date",
        "conditions": "Conditions",
        "protected_person_ref": "Protected Nominal Ref",
        "breached_at": "Breach Date Time",
    },
}
# Canonical value -> the force's word, per (table, column).
WORDS: dict[tuple[str, str], dict[str, str]] = {
    ("offences", "relationship"): {
        Relationship.PARTNER: "Partner",
        Relationship.EX_PARTNER: "Ex-Partner",
        Relationship.FAMILY: "Family Member",
        Relationship.ACQUAINTANCE: "Acquaintance",
        Relationship.STRANGER: "Stranger",
        Relationship.UNKNOWN: "Not Known",
    },
    ("people", "sex"): {Sex.FEMALE: "F", Sex.MALE: "M", Sex.UNKNOWN: "U"},
    ("links", "role"): {
        PersonRole.SUSPECT: "Suspect",
        PersonRole.VICTIM: "Victim",
        PersonRole.WITNESS: "Witness",
    },
    ("bail", "kind"): {
        BailKind.PRE_CHARGE_BAIL: "Pre-Charge Bail",
        BailKind.RELEASED_UNDER_INVESTIGATION: "RUI",
    },
    ("bail", "authority"): {
        BailAuthority.INSPECTOR: "Inspector",
        BailAuthority.SUPERINTENDENT: "Superintendent",
        BailAuthority.ASSISTANT_CHIEF_CONSTABLE: "ACC",
        BailAuthority.MAGISTRATES_COURT: "Magistrates Court",
    },
    ("orders", "kind"): {
        OrderKind.DVPN: "DVPN",
        OrderKind.DVPO: "DVPO",
        OrderKind.NON_MOLESTATION: "Non-Molestation Order",
        OrderKind.RESTRAINING: "Restraining Order",
        OrderKind.STALKING_PROTECTION: "Stalking Protection Order",
        OrderKind.SEXUAL_HARM_PREVENTION: "SHPO",
    },
}
# Columns a force's export has that the import does not map: (table, header, after column).
EXTRA = {
    "offences": (("Offence Description", "ho_code"), ("DA Flag", "vawg")),
    "people": (),
    "links": (),
    "arrests": (),
    "bail": (),
    "orders": (),
}
_DOMESTIC = (Relationship.PARTNER.value, Relationship.EX_PARTNER.value, Relationship.FAMILY.value)


def force_frame(name: str, frame: pl.DataFrame) -> pl.DataFrame:
    """A canonical table in the force's layout: its headers, words, Y/N flags, UK date-times
    as text, whole-metre coordinates, its extra columns, and last the column saying synthetic."""
    table = next(t for t in TABLES if t.name == name)
    exprs: list[pl.Expr] = []
    for column in table.columns:
        col = pl.col(column.name)
        words = WORDS.get((name, column.name))
        if words is not None:
            col = col.replace_strict({str(k): v for k, v in words.items()}, default=None)
        elif column.kind is Kind.BOOL:
            col = pl.when(col).then(pl.lit(YES)).when(~col).then(pl.lit(NO))
        elif column.kind is Kind.DATETIME:
            col = col.dt.strftime(DATETIME_FORMAT)
        elif column.kind is Kind.DATE:
            col = col.dt.strftime(DATE_FORMAT)
        elif column.kind is Kind.FLOAT:
            col = col.round(0).cast(pl.Int64)
        exprs.append(col.alias(HEADERS[name][column.name]))
    out = frame.select(exprs)
    if name == "offences":
        described = {code: c.offence for code, c in read_offence_codes().items()}
        extra = frame.select(
            pl.col("ho_code").replace_strict(described, default=None).alias("Offence Description"),
            pl.when(pl.col("relationship").is_in(_DOMESTIC))
            .then(pl.lit(YES))
            .otherwise(pl.lit(NO))
            .alias("DA Flag"),
        )
        out = out.with_columns(extra)
        order = list(out.columns)
        for header, after in EXTRA[name]:
            order.remove(header)
            order.insert(order.index(HEADERS[name][after]) + 1, header)
        out = out.select(order)
    return out.with_columns(pl.lit(SYNTHETIC_MARK).alias(SYNTHETIC_HEADER))


def write(
    frames: Mapping[str, pl.DataFrame], folder: Path, readme: str, zip_path: Path | None = None
) -> list[Path]:
    """Write README.txt and one CSV per table into `folder` (created if need be); also a zip of
    them at `zip_path` when given. The files written, README first, then the zip."""
    folder.mkdir(parents=True, exist_ok=True)
    readme_path = folder / "README.txt"
    readme_path.write_text(readme, encoding="utf-8")
    paths = [readme_path]
    for name, file in FILES.items():
        path = folder / file
        force_frame(name, frames[name]).write_csv(path)
        paths.append(path)
    if zip_path is not None:
        zip_path.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(zip_path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for path in paths:
                # A fixed date-time, so the same extract makes the same bytes.
                info = zipfile.ZipInfo(path.name, date_time=(2020, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, path.read_bytes())
        paths.append(zip_path)
    return paths


def mapping_toml() -> str:
    """The mapping file that reads this layout back (`mappings/unit-synthetic.toml`)."""
    lines = [
        "# The synthetic force's extract (streetlight.unit.synthetic): NOT REAL PEOPLE.",
        "# Generated by streetlight.unit.synthetic_layout.mapping_toml(); a test keeps them equal.",
        "# [TABLE.columns]: canonical column = the force's header;",
        "# [TABLE.values.COLUMN]: the force's word = the canonical value. Flags are Y/N.",
        "",
        "[unit]",
        f'name = "{NAME}"',
        "synthetic = true",
        f'timezone = "{TIMEZONE}"   # local date-times in the extract',
        f'crs = "{CRS}"',
        f'datetime_format = "{DATETIME_FORMAT}"',
        f'date_format = "{DATE_FORMAT}"',
    ]
    for table in TABLES:
        lines += ["", f"[{table.name}]", f'file = "{FILES[table.name]}"', f"[{table.name}.columns]"]
        lines += [f'{canonical} = "{header}"' for canonical, header in HEADERS[table.name].items()]
        for (name, column), words in WORDS.items():
            if name != table.name:
                continue
            lines += ["", f"[{table.name}.values.{column}]"]
            lines += [f'"{word}" = "{value}"' for value, word in words.items()]
    return "\n".join(lines) + "\n"
