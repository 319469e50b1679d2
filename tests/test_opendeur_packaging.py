"""The distribution: our own import packages, the data files, and a wheel that carries them."""

from __future__ import annotations

import importlib
import importlib.metadata
import subprocess
import zipfile
from pathlib import Path

import pytest

from nlp.datafiles import DataFilesMissing, data_dir, data_path

OUR_PACKAGES = ["opendeur", "listener", "nlp", "campaigns", "themesites"]


@pytest.mark.parametrize("name", OUR_PACKAGES)
def test_opendeur_packaging_imports_are_this_repository(name: str, repo_root: Path):
    # `nlp`, `listener` and `campaigns` are also unrelated projects on PyPI (DESIGN §3).
    module = importlib.import_module(name)
    assert Path(module.__file__).resolve().is_relative_to(repo_root)


@pytest.mark.parametrize("name", ["nlp", "listener", "campaigns", "themesites"])
def test_opendeur_packaging_no_namesake_distribution_installed(name: str):
    with pytest.raises(importlib.metadata.PackageNotFoundError):
        importlib.metadata.distribution(name)


def test_opendeur_packaging_default_install_does_not_pull_torch():
    requirements = importlib.metadata.requires("opendeur")
    default = [r for r in requirements if "extra ==" not in r]
    extra = [r for r in requirements if 'extra == "transformers"' in r]
    assert not any(r.startswith(("torch", "transformers", "accelerate")) for r in default)
    assert any(r.startswith("torch==2.13.0") for r in extra)


def test_opendeur_packaging_data_dir_is_the_checkout_data_folder(repo_root: Path):
    assert data_dir() == repo_root / "data"
    assert data_path("README.md").is_file()


def test_opendeur_packaging_missing_data_files_are_explained(monkeypatch):
    data_dir.cache_clear()
    monkeypatch.setattr("importlib.util.find_spec", lambda name: None)
    try:
        with pytest.raises(DataFilesMissing, match="reinstall opendeur"):
            data_dir()
    finally:
        data_dir.cache_clear()


@pytest.mark.slow
def test_opendeur_packaging_wheel_carries_packages_and_data(
    tmp_path: Path, python: str, repo_root: Path
):
    subprocess.run(
        [python, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(repo_root)],
        check=True,
        capture_output=True,
    )
    [wheel] = tmp_path.glob("opendeur-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for package in OUR_PACKAGES:
        assert f"{package}/__init__.py" in names
    assert "opendeur_data/README.md" in names
    assert not any(name.startswith(("tests/", "benchmarks/")) for name in names)

    # Installed from the wheel (not the checkout), the data files are found the same way.
    target = tmp_path / "site"
    subprocess.run(
        [python, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
        check=True,
        capture_output=True,
    )
    found = subprocess.run(
        [
            python,
            "-I",
            "-c",
            "import sys; sys.path.insert(0, sys.argv[1]);"
            "from nlp.datafiles import data_dir; print(data_dir())",
            str(target),
        ],
        check=True,
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert found.stdout.strip() == str(target / "opendeur_data")


def test_opendeur_packaging_lists_every_package(repo_root: Path):
    import tomllib

    listed = set(
        tomllib.loads((repo_root / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    found = {
        ".".join(init.parent.relative_to(repo_root).parts)
        for package in OUR_PACKAGES
        for init in (repo_root / package).rglob("__init__.py")
    }
    assert found - listed == set()
