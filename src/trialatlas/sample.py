"""The bundled sample: real registry records shipped inside the package."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

SAMPLE_FILES = ("NCT06001853.json", "ctgov_v2_studies.jsonl.gz", "ctgov_xml_studies.zip")


def sample_dir() -> Path:
    return Path(str(resources.files("trialatlas") / "data" / "sample"))


def sample_sources() -> list[str]:
    """Paths of the bundled sample files that exist, in load order."""
    folder = sample_dir()
    return [str(folder / name) for name in SAMPLE_FILES if (folder / name).exists()]
