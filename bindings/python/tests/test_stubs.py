"""The typed stubs (_medvault.pyi) describe the extension module exactly: the same public
names, and per class the same public members."""

from __future__ import annotations

import ast
import inspect
import os
import subprocess
import sys
from pathlib import Path

import pytest

import medvault
from medvault import _medvault

STUB = Path(_medvault.__file__).with_name("_medvault.pyi")


def public(name: str) -> bool:
    return not name.startswith("_") or name in {"__version__", "__enter__", "__exit__"}


def stub_names() -> tuple[set[str], dict[str, set[str]]]:
    tree = ast.parse(STUB.read_text())
    names: set[str] = set()
    members: dict[str, set[str]] = {}
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            names.add(node.name)
            members[node.name] = {
                item.name
                for item in node.body
                if isinstance(item, ast.FunctionDef) and public(item.name)
            }
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return {name for name in names if public(name)}, members


def module_names() -> set[str]:
    return {name for name in vars(_medvault) if public(name)}


def test_stub_is_installed_with_the_module():
    assert STUB.is_file()
    assert Path(_medvault.__file__).with_name("py.typed").is_file()


def test_stub_and_module_have_the_same_names():
    names, _ = stub_names()
    assert names == module_names()


def test_stub_and_module_classes_have_the_same_members():
    _, members = stub_names()
    for name, stubbed in members.items():
        cls = getattr(_medvault, name)
        if issubclass(cls, BaseException):
            assert stubbed == set(), f"{name}: exceptions add no members"
            continue
        actual = {
            member
            for member, _ in inspect.getmembers(cls)
            if public(member) and member in vars(cls)
        }
        assert stubbed == actual, f"{name}: stub {sorted(stubbed)} != module {sorted(actual)}"


def test_package_exports_everything_public():
    assert set(medvault.__all__) == module_names() - {"Aead", "StreamingAead"} | {"crypto"}
    assert set(medvault.crypto.__all__) == {"Aead", "StreamingAead"}


def test_every_public_class_and_method_has_a_docstring():
    for name in module_names() - {"__version__"}:
        cls = getattr(_medvault, name)
        assert cls.__doc__, name
        if issubclass(cls, BaseException):
            continue
        for member, value in vars(cls).items():
            if public(member) and not member.startswith("__"):
                assert getattr(value, "__doc__", None), f"{name}.{member}"


def test_mypy_stubtest_agrees(tmp_path: Path):
    """mypy's stubtest compares every signature and default with the runtime module."""
    pytest.importorskip("mypy.stubtest")
    run = subprocess.run(
        [sys.executable, "-m", "mypy.stubtest", "medvault._medvault"],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
        env={**os.environ, "MYPY_CACHE_DIR": str(tmp_path / "mypy-cache")},
    )
    assert run.returncode == 0, run.stdout + run.stderr
