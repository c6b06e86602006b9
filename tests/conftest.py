"""Shared fixtures: seed documents, real PDFs from ../shared/pdfs, and PDFs built with known truth."""

from __future__ import annotations

from pathlib import Path

import pytest

import nlp_iom
from nlp_iom.document import Document

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SEED_PAPER = SEEDS / "000_5c98c16164753270.txt"
SEED_SKRIPSI = SEEDS / "002_7a37dfcb71e53d69.txt"
SHARED_PDFS = ROOT.parent / "shared" / "pdfs"
DATA = Path(__file__).resolve().parent / "data"


def shared_pdf(relative: str) -> Path:
    """Path of a real PDF in ../shared/pdfs, skipping the test when it is absent."""
    path = SHARED_PDFS / relative
    if not path.is_file():
        pytest.skip(f"{path} not available")
    return path


@pytest.fixture(scope="session")
def seed_paper() -> Document:
    return nlp_iom.read(SEED_PAPER)


@pytest.fixture(scope="session")
def seed_skripsi() -> Document:
    return nlp_iom.read(SEED_SKRIPSI)


@pytest.fixture(scope="session")
def built_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("built")


@pytest.fixture(scope="session")
def two_column(built_dir: Path):
    from pdf_factory import build_two_column

    path = built_dir / "two_column.pdf"
    truth = build_two_column(path)
    return path, truth
