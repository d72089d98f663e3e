"""Every dependency is pinned to one version, so the dependency audit
(docs/dependency-audit.md) names exactly what runs."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).parents[1]
PINNED = re.compile(r"^[A-Za-z0-9_.\-]+(\[[a-z,]+\])?==[0-9][0-9A-Za-z.\-+]*$")


def test_every_dependency_is_pinned() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        requirements += extra
    assert requirements
    loose = [r for r in requirements if not PINNED.match(r)]
    assert loose == [], loose


def test_the_audit_is_documented() -> None:
    text = (ROOT / "docs" / "dependency-audit.md").read_text()
    assert "pip_audit" in text and "--strict" in text
