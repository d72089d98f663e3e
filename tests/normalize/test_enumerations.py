"""Enumerated registry fields: a value outside the registry's codes rejects the record,
naming the field (issue 14, item 6; docs/ingest.md "Enumerated fields")."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from trialatlas.normalize import RecordError, normalize_record
from trialatlas.sample import sample_dir
from trialatlas.sources.ctgov_json import parse_v2_text
from trialatlas.sources.discover import iter_records
from trialatlas.sources.records import RawRecord

SEED = json.loads((sample_dir() / "NCT06001853.json").read_text())
PS = "protocolSection"


def _v2(path: list[str | int], value: Any) -> RawRecord:
    study = copy.deepcopy(SEED)
    node = study
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value
    return RawRecord("t.json", "document", "ctgov_v2", json.dumps(study), data=study)


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        ([PS, "statusModule", "overallStatus"], 7, "statusModule.overallStatus"),
        ([PS, "statusModule", "overallStatus"], "RECRUITING_SOON", "statusModule.overallStatus"),
        ([PS, "designModule", "studyType"], "MADE_UP", "designModule.studyType"),
        ([PS, "designModule", "phases"], ["PHASE2", "PHASE9"], "designModule.phases"),
        ([PS, "designModule", "designInfo", "allocation"], "SOMETIMES", "allocation"),
        ([PS, "eligibilityModule", "sex"], "X", "eligibilityModule.sex"),
        ([PS, "armsInterventionsModule", "armGroups", 0, "type"], "EXTRA", "armGroups.type"),
        (
            [PS, "armsInterventionsModule", "interventions", 0, "type"],
            "MAGIC",
            "interventions.type",
        ),
        ([PS, "sponsorCollaboratorsModule", "leadSponsor", "class"], "ALIENS", "leadSponsor.class"),
    ],
)
def test_v2_values_outside_the_enumeration_are_rejected_naming_the_field(
    path: list[str | int], value: Any, field: str
) -> None:
    with pytest.raises(RecordError) as caught:
        normalize_record(_v2(path, value))
    assert field in caught.value.field
    assert "is not one of the registry's values" in caught.value.message
    assert str(value if not isinstance(value, list) else value[1]) in caught.value.message


XML = """<clinical_study><id_info><nct_id>NCT09200001</nct_id></id_info>
<brief_title>T</brief_title><overall_status>{status}</overall_status></clinical_study>"""


def test_legacy_xml_values_are_checked_after_mapping() -> None:
    ok = normalize_record(
        RawRecord("t.xml", "document", "ctgov_xml", XML.format(status="Completed"))
    )
    assert ok.status.overall_status == "COMPLETED"
    with pytest.raises(RecordError) as caught:
        normalize_record(
            RawRecord("t.xml", "document", "ctgov_xml", XML.format(status="Status: 7"))
        )
    assert caught.value.field == "clinical_study/overall_status"


def test_every_bundled_v2_record_passes_the_check() -> None:
    """The enumerations are the registry's: no real record is refused by them."""
    seen = 0
    for raw in iter_records(str(sample_dir() / "ctgov_v2_studies.jsonl.gz")):
        assert isinstance(raw, RawRecord)
        normalize_record(parse_v2_text(raw))
        seen += 1
    assert seen > 1000
