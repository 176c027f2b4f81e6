"""The one exception tree (`streetlight.errors`): every error Streetlight defines sits under one
area group, is named `...Error`, and code raises concrete classes, never the root or a group."""

from __future__ import annotations

import ast
import importlib
import pkgutil

import pytest

import streetlight
from streetlight import errors
from tests.test_architecture import MODULES, SRC

GROUPS = (
    errors.ConfigError,
    errors.IngestError,
    errors.StoreError,
    errors.ForecastError,
    errors.PlanError,
    errors.ReportError,
    errors.VerifyError,
    errors.AuthError,
    errors.DatabaseError,
    errors.CaseworkError,
    errors.ConductError,
)


def _every_error() -> set[type[BaseException]]:
    for info in pkgutil.walk_packages(streetlight.__path__, "streetlight."):
        if ".migrations." not in info.name and not info.name.endswith("__main__"):
            importlib.import_module(info.name)
    found: set[type[BaseException]] = set()
    todo: list[type[BaseException]] = [errors.StreetlightError]
    while todo:
        cls = todo.pop()
        found.add(cls)
        todo.extend(cls.__subclasses__())
    return found


def test_every_error_is_in_exactly_one_group_and_named_error() -> None:
    for cls in _every_error() - {errors.StreetlightError, *GROUPS}:
        groups = [g for g in GROUPS if issubclass(cls, g)]
        assert len(groups) == 1, f"{cls.__module__}.{cls.__name__}: groups {groups}"
        assert cls.__name__.endswith("Error"), f"{cls.__module__}.{cls.__name__}"


def test_every_exception_class_in_the_source_derives_from_the_tree() -> None:
    """A class deriving from `Exception` directly would escape `except StreetlightError` (the
    CLI's one-line errors, the web's answers). Private control-flow exceptions are exempt."""
    errors_found = _every_error()
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        classes = [n for n in tree.body if isinstance(n, ast.ClassDef)]
        for node in classes:
            bases = {ast.unparse(b) for b in node.bases}
            if node.name.startswith("_") or not bases & {"Exception", "BaseException"}:
                continue
            loaded = getattr(
                importlib.import_module(f"streetlight.{module}".rstrip(".")), node.name
            )
            assert loaded in errors_found, f"{path.relative_to(SRC)}: {node.name} {bases}"


@pytest.mark.parametrize("root", ["StreetlightError", *(g.__name__ for g in GROUPS)])
def test_nothing_raises_the_root_or_a_group(root: str) -> None:
    """Groups are for catching: a raise names the concrete class a caller can tell apart."""
    raised = [
        f"{path.relative_to(SRC)}:{node.lineno}"
        for path in MODULES.values()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Raise)
        and isinstance(node.exc, ast.Call)
        and isinstance(node.exc.func, ast.Name)
        and node.exc.func.id == root
    ]
    assert not raised
