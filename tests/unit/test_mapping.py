"""Unit mapping files: the example loads, and every mistake is named by file and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from streetlight.unit.errors import ExtractMappingError
from streetlight.unit.extract import OFFENCE_CODES
from streetlight.unit.mapping import load_mapping
from tests.conftest import REPO
from tests.unit.extracts import base, mapping_text

EXAMPLE = REPO / "mappings" / "unit-example.toml"


def test_the_example_mapping_loads() -> None:
    mapping = load_mapping(EXAMPLE)
    assert mapping.name == "Example Constabulary Public Protection Unit"
    assert (mapping.timezone, mapping.crs) == ("Europe/London", "EPSG:27700")
    assert mapping.codes_path == OFFENCE_CODES and "8U" in mapping.codes
    assert list(mapping.tables) == ["offences", "people", "links", "arrests", "bail", "orders"]
    assert mapping.tables["offences"].columns["offence_ref"] == "OccurrenceRef"
    assert mapping.tables["links"].values["role"] == {"Offender": "suspect"}
    assert mapping.datetime_format == "%d/%m/%Y %H:%M"
    assert not mapping.synthetic


def _canonical() -> str:
    return mapping_text(base())


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda t: t.replace('[unit]\nname = "Test unit"\n', "[unit]\n"), r"\[unit\] needs 'name'"),
        (lambda t: t.replace("[unit]", "[force]"), r"\[force\] is not a table of the extract"),
        (lambda t: t + "\n[unit2]\n", r"\[unit2\] is not a table"),
        (
            lambda t: t.replace('timezone = "Europe/London"', 'timezone = "Europe/Londres"'),
            r"\[unit\] timezone 'Europe/Londres' is not an IANA time zone",
        ),
        (
            lambda t: t.replace('crs = "EPSG:27700"', 'crs = "EPSG:4326"'),
            r"\[unit\] crs 'EPSG:4326' is not a projected CRS in metres",
        ),
        (
            lambda t: t.replace('crs = "EPSG:27700"', 'crs = "EPSG:2249"'),  # US survey feet
            r"\[unit\] crs 'EPSG:2249' is not a projected CRS in metres",
        ),
        (
            lambda t: t.replace('crs = "EPSG:27700"', 'crs = "not a crs"'),
            r"\[unit\] crs 'not a crs' is not a CRS",
        ),
        (lambda t: t.replace('crs = "EPSG:27700"\n', ""), r"\[unit\] needs 'crs'"),
        (
            lambda t: t.replace('crs = "EPSG:27700"', 'crs = "EPSG:27700"\nepoch = 1'),
            r"\[unit\] 'epoch' is not a key Streetlight knows",
        ),
        (
            lambda t: t.replace('crs = "EPSG:27700"', 'crs = "EPSG:27700"\nsynthetic = "yes"'),
            r"\[unit\] synthetic must be true or false",
        ),
        (
            lambda t: t.replace('crs = "EPSG:27700"', 'crs = "EPSG:27700"\ncodes = "none.csv"'),
            r"\[unit\] codes: .*none\.csv: no such file",
        ),
        (
            lambda t: t.replace('crs = "EPSG:27700"', 'crs = "EPSG:27700"\ndate_format = "%H:%M"'),
            r"\[unit\] date_format '%H:%M' does not read back",
        ),
        (lambda t: t.replace("[links]", "[link]"), r"\[link\] is not a table of the extract"),
        (
            lambda t: t.replace('[links]\nfile = "links.csv"\n', "[links]\n"),
            r"\[links\] needs 'file'",
        ),
        (
            lambda t: t.replace('offence_ref = "offence_ref"\nho_code', 'crime_ref = "A"\nho_code'),
            r"\[offences.columns\] 'crime_ref' is not a column of offences",
        ),
        (
            lambda t: t.replace('ho_code = "ho_code"\n', ""),
            r"\[offences.columns\] needs 'ho_code'",
        ),
        (lambda t: t.replace('y = "y"\n', ""), r"maps one of x and y"),
        (
            lambda t: t + '\n[people.values.sex]\n"M" = "man"\n',
            r"\[people.values.sex\] 'M' = 'man' is not a value of sex \(one of: female, male",
        ),
        (
            lambda t: t + '\n[bail.values.victim_views_sought]\n"Asked" = "perhaps"\n',
            r"\[bail.values.victim_views_sought\] 'Asked' = 'perhaps' is not a value",
        ),
        (
            lambda t: t + '\n[arrests.values.outcome]\n"NFA" = "No further action"\n',
            r"\[arrests.values.outcome\] 'NFA' = 'No further action' is not a value of outcome",
        ),
        (
            lambda t: t + '\n[people.values.nickname]\n"A" = "B"\n',
            r"\[people.values.nickname\]: 'nickname' is not a mapped column",
        ),
        (lambda t: t + "\n[orders.extra]\n", r"\[orders\] 'extra' is not a key"),
        (lambda t: t + "\nnot toml = = =\n", r"not valid TOML"),
    ],
)
def test_mapping_mistakes_name_the_file_and_the_key(
    tmp_path: Path, change: object, message: str
) -> None:
    assert callable(change)
    path = tmp_path / "unit.toml"
    path.write_text(change(_canonical()), encoding="utf-8")
    with pytest.raises(ExtractMappingError, match=rf"^{path}: .*{message}"):
        load_mapping(path)


def test_a_missing_mapping_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ExtractMappingError, match=r"nothing\.toml: unit mapping file not found"):
        load_mapping(tmp_path / "nothing.toml")


def test_the_force_s_own_offence_codes(tmp_path: Path) -> None:
    (tmp_path / "codes.csv").write_text(
        "code,offence,subgroup,vawg\n8U,Controlling or coercive behaviour,Stalking and "
        "harassment,true\n",
        encoding="utf-8",
    )
    text = _canonical().replace('crs = "EPSG:27700"', 'crs = "EPSG:27700"\ncodes = "codes.csv"')
    (tmp_path / "unit.toml").write_text(text, encoding="utf-8")
    mapping = load_mapping(tmp_path / "unit.toml")
    assert list(mapping.codes) == ["8U"]
    (tmp_path / "codes.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(ExtractMappingError, match=r"codes\.csv: not a UTF-8 CSV with the columns"):
        load_mapping(tmp_path / "unit.toml")
