"""How a streaming ingest cuts its files into batches of bounded size.

Memory follows the rows held at once, and rows follow bytes (data.police.uk street files run
about 240 bytes a row), so a batch takes whole files up to a byte budget. Files with the same
name (the same force-month from two downloads) always share a batch: rows without a Crime ID get
their id from their content and its occurrence number within the batch, so keeping a
force-month's files together gives them the ids one batch of the whole input would.
"""

from __future__ import annotations

from collections.abc import Sequence

from streetlight.ingest.sources import SourceFile


def file_size(file: SourceFile) -> int:
    """The file's size in bytes once read (uncompressed), from the zip index or the disk."""
    if file.info is not None:
        return file.info.file_size
    if file.member is None:
        return file.path.stat().st_size
    return 0  # a member listed without its entry: counted as small


def plan_batches(
    files: Sequence[SourceFile], budget: int, *, together: bool = True
) -> list[tuple[SourceFile, ...]]:
    """Consecutive batches of whole files, each up to `budget` bytes (a larger file alone).

    Files keep their order but for same-named files, which join the first of their name, unless
    `together` is False (a force export's ids never depend on the batch; its rules take files
    in the input's order).
    """
    groups: dict[str, list[SourceFile]] = {}
    for i, file in enumerate(files):
        groups.setdefault(file.basename.lower() if together else str(i), []).append(file)
    batches: list[tuple[SourceFile, ...]] = []
    current: list[SourceFile] = []
    size = 0
    for group in groups.values():
        more = sum(file_size(f) for f in group)
        if current and size + more > budget:
            batches.append(tuple(current))
            current, size = [], 0
        current += group
        size += more
    if current:
        batches.append(tuple(current))
    return batches
