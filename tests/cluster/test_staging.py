"""Files of an all-forces task appear whole or not at all (`cluster.staging`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from streetlight.cluster.staging import PREFIX, staged, sweep, write_text_atomic


def test_files_appear_in_their_final_folders_only_when_the_block_ends(tmp_path: Path) -> None:
    first, second = tmp_path / "json" / "force", tmp_path / "report" / "force"
    with staged([first, second, first]) as stage:
        (stage(first) / "a.json").write_text("{}", encoding="utf-8")
        (stage(second) / "plots").mkdir()
        (stage(second) / "plots" / "b.png").write_bytes(b"png")
        assert not (first / "a.json").exists()
    assert (first / "a.json").read_text(encoding="utf-8") == "{}"
    assert (second / "plots" / "b.png").read_bytes() == b"png"
    assert not list(tmp_path.rglob(f"{PREFIX}*"))


def test_a_failed_block_leaves_nothing_and_keeps_the_old_files(tmp_path: Path) -> None:
    final = tmp_path / "force"
    final.mkdir()
    (final / "a.json").write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError), staged([final]) as stage:
        (stage(final) / "a.json").write_text("half", encoding="utf-8")
        raise RuntimeError("killed")
    assert (final / "a.json").read_text(encoding="utf-8") == "old"
    assert [p.name for p in final.iterdir()] == ["a.json"]


def test_sweep_removes_what_a_killed_attempt_left(tmp_path: Path) -> None:
    leftover = tmp_path / "force" / f"{PREFIX}dead" / "a.json"
    leftover.parent.mkdir(parents=True)
    leftover.write_text("half", encoding="utf-8")
    sweep([tmp_path / "force", tmp_path / "absent"])
    assert list((tmp_path / "force").iterdir()) == []


def test_write_text_atomic_replaces_the_file(tmp_path: Path) -> None:
    path = tmp_path / "out" / "summary.md"
    write_text_atomic(path, "one")
    write_text_atomic(path, "two")
    assert path.read_text(encoding="utf-8") == "two"
    assert [p.name for p in path.parent.iterdir()] == ["summary.md"]
