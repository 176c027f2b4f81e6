"""Reading a crime table and an offender table through a linkage mapping."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from streetlight.linkage.crimes import (
    LinkageFileError,
    LinkageMappingError,
    read_crimes,
    read_mapping,
    read_offenders,
)

MAPPINGS = Path(__file__).resolve().parents[2] / "mappings"
REFERENCE = MAPPINGS / "linkage-crimelinkage.toml"

HEADER = '"crimeID","X","Y","DATE_FROM","TIME_FROM","DATE_TO","TIME_TO","MO1","MO2","MO3"\n'


def _write(tmp_path: Path, rows: str, header: str = HEADER) -> Path:
    path = tmp_path / "crimes.csv"
    path.write_text(header + rows, encoding="utf-8")
    return path


def test_reads_the_reference_layout(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        '"C:1",13661.1,-4659.3,1993-01-06,"2355",1993-01-07,"0439","6","a","J"\n'
        '"C:6",14032.9,-1945.4,1993-01-04,"1530",1993-01-04,"1530","7",NA,NA\n',
    )
    crimes = read_crimes(path, read_mapping(REFERENCE))
    assert list(crimes.ids) == ["C:1", "C:6"]
    np.testing.assert_allclose(crimes.x, [13661.1, 14032.9])
    assert crimes.t_from[0] == np.datetime64("1993-01-06T23:55")
    assert crimes.t_to[0] == np.datetime64("1993-01-07T04:39")
    assert crimes.t_to[1] == crimes.t_from[1]
    assert crimes.levels["MO1"] == ("6", "7")
    np.testing.assert_array_equal(crimes.categorical["MO2"], [0, -1])
    assert crimes.quarantined == ()
    np.testing.assert_array_equal(crimes.index(["C:6", "C:9", "C:1"]), [1, -1, 0])


def test_midnight_written_as_2400_is_the_end_of_that_day(tmp_path: Path) -> None:
    path = _write(tmp_path, '"C:1",0,0,1993-04-04,"2200",1993-04-04,"2400","6","a","J"\n')
    crimes = read_crimes(path, read_mapping(REFERENCE))
    assert crimes.t_to[0] == np.datetime64("1993-04-05T00:00")


def test_a_reversed_window_is_swapped_or_quarantined_as_the_mapping_says(tmp_path: Path) -> None:
    path = _write(tmp_path, '"C:1",0,0,1993-05-22,"1800",1993-05-22,"0230","6","a","J"\n')
    swapped = read_crimes(path, read_mapping(REFERENCE))
    assert swapped.t_from[0] == np.datetime64("1993-05-22T02:30")
    assert swapped.t_to[0] == np.datetime64("1993-05-22T18:00")
    strict = tmp_path / "strict.toml"
    strict.write_text(
        REFERENCE.read_text(encoding="utf-8").replace('reversed_window = "swap"', ""),
        encoding="utf-8",
    )
    refused = read_crimes(path, read_mapping(strict))
    assert len(refused) == 0
    assert [(b.row, b.field) for b in refused.quarantined] == [(2, "DATE_TO")]


def test_bad_rows_are_quarantined_with_file_row_and_field(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        '"C:1",0,0,1993-01-06,"2355",1993-01-07,"0439","6","a","J"\n'
        '"C:2",east,0,1993-01-06,"2355",1993-01-07,"0439","6","a","J"\n'
        '"C:3",0,0,1993-13-06,"2355",1993-01-07,"0439","6","a","J"\n'
        '"C:1",0,0,1993-01-06,"2355",1993-01-07,"0439","6","a","J"\n'
        'NA,0,0,1993-01-06,"2355",1993-01-07,"0439","6","a","J"\n'
        '"C:4",0,0\n',
    )
    crimes = read_crimes(path, read_mapping(REFERENCE))
    assert list(crimes.ids) == ["C:1"]
    found = [(b.row, b.field) for b in crimes.quarantined]
    assert found == [(3, "X"), (4, "DATE_FROM"), (5, "crimeID"), (6, "crimeID"), (7, "(row)")]
    assert str(crimes.quarantined[0]).startswith(f"{path}: row 3, X: 'east' is not a number")


def test_a_column_the_file_lacks_is_a_mapping_error_naming_it(tmp_path: Path) -> None:
    path = _write(tmp_path, "", header='"crimeID","X","Y"\n')
    with pytest.raises(LinkageMappingError, match="DATE_FROM"):
        read_crimes(path, read_mapping(REFERENCE))


def test_missing_files_and_bad_mappings_raise(tmp_path: Path) -> None:
    with pytest.raises(LinkageFileError, match="not found"):
        read_crimes(tmp_path / "none.csv", read_mapping(REFERENCE))
    with pytest.raises(LinkageMappingError, match="not found"):
        read_mapping(tmp_path / "none.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text('[crimes]\nid = "id"\n[offenders]\noffender = "o"\ncrime = "c"\n')
    with pytest.raises(LinkageMappingError, match="x must name a column"):
        read_mapping(bad)
    bad.write_text(REFERENCE.read_text(encoding="utf-8").replace('"swap"', '"overnight"'))
    with pytest.raises(LinkageMappingError, match="reversed_window"):
        read_mapping(bad)


def test_offender_rows_are_read_once_each(tmp_path: Path) -> None:
    path = tmp_path / "offenders.csv"
    path.write_text('"offenderID","crimeID"\n"O:1","C:6"\n"O:1","C:6"\n"O:2","C:9"\nNA,"C:1"\n')
    offenders = read_offenders(path, read_mapping(REFERENCE))
    assert list(zip(offenders.offender, offenders.crime, strict=True)) == [
        ("O:1", "C:6"),
        ("O:2", "C:9"),
    ]
