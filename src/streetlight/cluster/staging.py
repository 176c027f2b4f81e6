"""Files that appear whole or not at all, so a worker killed mid-write leaves nothing half-written.

A task writes into a private staging folder beside each final folder (same file system, so the
final step is a rename); only when every file is written are they moved into place, each by one
`Path.replace` (a rename). A killed attempt leaves at most a `.staging-*` folder, which the retry ignores and
`sweep` removes once the run is over.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

PREFIX = ".staging-"


class Staging:
    """The staging folder standing in for each final folder of one attempt."""

    def __init__(self, finals: Sequence[Path]) -> None:
        token = uuid.uuid4().hex
        self._folders = {final: final / f"{PREFIX}{token}" for final in dict.fromkeys(finals)}

    def __call__(self, final: Path) -> Path:
        """Where to write what belongs in the folder `final` (one of those staged)."""
        return self._folders[final]

    def publish(self) -> None:
        """Move every staged file to the same place under its final folder."""
        for final, staged in self._folders.items():
            for path in sorted(p for p in staged.rglob("*") if p.is_file()):
                target = final / path.relative_to(staged)
                target.parent.mkdir(parents=True, exist_ok=True)
                path.replace(target)

    def discard(self) -> None:
        for staged in self._folders.values():
            shutil.rmtree(staged, ignore_errors=True)


@contextmanager
def staged(finals: Sequence[Path]) -> Iterator[Staging]:
    """Stand-ins for the folders `finals`: what is written in them is moved into place when the
    block ends without error, and thrown away when it fails."""
    staging = Staging(finals)
    for final in finals:
        staging(final).mkdir(parents=True, exist_ok=True)
    try:
        yield staging
        staging.publish()
    finally:
        staging.discard()


def sweep(folders: Sequence[Path]) -> None:
    """Remove what killed attempts left in `folders` (call when no attempt can still run)."""
    for folder in folders:
        if folder.is_dir():
            for leftover in folder.glob(f"{PREFIX}*"):
                shutil.rmtree(leftover, ignore_errors=True)


def write_text_atomic(path: Path, text: str) -> None:
    """`path` holds `text` whole, or its old content: written beside it, then renamed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f"{PREFIX}{uuid.uuid4().hex}-{path.name}")
    try:
        temporary.write_text(text, encoding="utf-8")
        temporary.replace(path)
    finally:
        temporary.unlink(missing_ok=True)
