"""Facts of the bundled sample read straight from the raw files, with plain json/xml code.

Search tests compare the store's answers with expectations computed here, never with
the store's own SQL. The ingest rule for an NCT ID seen twice is mirrored: the later
record replaces the earlier one unless its last-update date is older.
"""

from __future__ import annotations

import gzip
import json
import re
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass, field
from datetime import datetime

import pytest

from trialatlas.index.site_points import place_site
from trialatlas.sample import sample_dir

_DAYS = {
    "year": 365.25,
    "month": 30.4375,
    "week": 7.0,
    "day": 1.0,
    "hour": 1 / 24,
    "minute": 1 / 1440,
}
_WORDS = re.compile(r"[^\W_]+", re.UNICODE)
_XML_CLASSES = {"NIH": "NIH", "Industry": "INDUSTRY", "Other": "OTHER", "U.S. Fed": "FED"}


@dataclass
class Facts:
    """What a search can filter on, for one trial, as the raw record says it."""

    nct_id: str
    status: str | None = None
    phases: list[str] = field(default_factory=list)
    study_type: str | None = None
    sex: str | None = None
    min_days: int | None = None
    max_days: int | None = None
    healthy: bool | None = None
    has_results: bool = False
    start: str | None = None  # ISO partial date
    updated: str | None = None
    lead_class: str | None = None
    sponsors: list[str] = field(default_factory=list)
    conditions: list[str] = field(default_factory=list)  # with MeSH terms
    interventions: list[str] = field(default_factory=list)  # names, other names, MeSH terms
    countries: set[str] = field(default_factory=set)
    sites: list[tuple[float, float]] = field(default_factory=list)

    def words(self, texts: list[str]) -> set[str]:
        return {w.lower() for t in texts for w in _WORDS.findall(t)}


def age_days(text: str | None) -> int | None:
    if not text or text.strip().upper() in ("N/A", "NA", "NONE"):
        return None
    number, unit = text.split()
    return round(float(number) * _DAYS[unit.lower().rstrip("s")])


def xml_date(text: str | None) -> str | None:
    if not text:
        return None
    for fmt, precision in (("%B %d, %Y", "day"), ("%B %Y", "month")):
        try:
            value = datetime.strptime(text.strip(), fmt)
        except ValueError:
            continue
        return value.strftime("%Y-%m-%d" if precision == "day" else "%Y-%m")
    return None


def from_v2(study: dict) -> Facts:
    p = study["protocolSection"]
    ident, status = p["identificationModule"], p.get("statusModule", {})
    design, elig = p.get("designModule", {}), p.get("eligibilityModule", {})
    spons = p.get("sponsorCollaboratorsModule", {})
    derived = study.get("derivedSection", {})
    lead = spons.get("leadSponsor") or {}
    facts = Facts(
        nct_id=ident["nctId"],
        status=status.get("overallStatus"),
        phases=list(design.get("phases", [])),
        study_type=design.get("studyType"),
        sex=elig.get("sex"),
        min_days=age_days(elig.get("minimumAge")),
        max_days=age_days(elig.get("maximumAge")),
        healthy=elig.get("healthyVolunteers"),
        has_results=bool(study.get("hasResults")),
        start=(status.get("startDateStruct") or {}).get("date"),
        updated=(status.get("lastUpdatePostDateStruct") or {}).get("date"),
        lead_class=lead.get("class"),
        sponsors=[s["name"] for s in [lead, *spons.get("collaborators", [])] if s.get("name")],
    )
    facts.conditions = list(p.get("conditionsModule", {}).get("conditions", []))
    facts.conditions += [
        m["term"] for m in derived.get("conditionBrowseModule", {}).get("meshes", [])
    ]
    for iv in p.get("armsInterventionsModule", {}).get("interventions", []):
        facts.interventions += [iv.get("name", ""), *iv.get("otherNames", [])]
    facts.interventions += [
        m["term"] for m in derived.get("interventionBrowseModule", {}).get("meshes", [])
    ]
    for loc in p.get("contactsLocationsModule", {}).get("locations", []):
        if loc.get("country"):
            facts.countries.add(loc["country"])
        geo = loc.get("geoPoint")
        given = (geo["lat"], geo["lon"]) if geo else None
        placed = place_site(
            loc.get("city"), loc.get("state"), loc.get("zip"), loc.get("country"), given
        )
        if placed is not None:  # by its ZIP code, else its city (as ingest does)
            facts.sites.append((placed.lat, placed.lon))
    return facts


def _code(text: str | None) -> str | None:
    if text is None:
        return None
    if text == "Unknown status":
        return "UNKNOWN"
    return re.sub(r"[^A-Z0-9]+", "_", text.upper()).strip("_")


def from_xml(text: str) -> Facts:
    root = ET.fromstring(text)

    def get(path: str) -> str | None:
        el = root.find(path)
        return el.text.strip() if el is not None and el.text else None

    phase = get("phase")
    phases = (
        []
        if phase is None
        else ["NA"]
        if phase == "N/A"
        else [
            _code(p.strip()).replace("PHASE_", "PHASE")
            for p in phase.split("/")  # type: ignore[union-attr]
        ]
    )
    study_type = get("study_type")
    if study_type and study_type.startswith("Observational"):
        study_type = "Observational"
    healthy = get("eligibility/healthy_volunteers")
    facts = Facts(
        nct_id=get("id_info/nct_id") or "",
        status=_code(get("overall_status")),
        phases=phases,
        study_type="NA" if study_type == "N/A" else _code(study_type),
        sex=_code(get("eligibility/gender")),
        min_days=age_days(get("eligibility/minimum_age")),
        max_days=age_days(get("eligibility/maximum_age")),
        healthy=None if healthy is None else healthy == "Accepts Healthy Volunteers",
        has_results=root.find("clinical_results") is not None,
        start=xml_date(get("start_date")),
        updated=xml_date(get("last_update_posted")),
        lead_class=_XML_CLASSES.get(get("sponsors/lead_sponsor/agency_class") or ""),
        sponsors=[a.text.strip() for a in root.iterfind("sponsors/*/agency") if a.text],
    )
    facts.conditions = [c.text.strip() for c in root.iterfind("condition") if c.text]
    facts.conditions += [
        m.text.strip() for m in root.iterfind("condition_browse/mesh_term") if m.text
    ]
    for iv in root.iterfind("intervention"):
        facts.interventions += [
            e.text.strip() for e in iv if e.tag in ("intervention_name", "other_name") and e.text
        ]
    facts.interventions += [
        m.text.strip() for m in root.iterfind("intervention_browse/mesh_term") if m.text
    ]
    for loc in root.iterfind("location/facility/address"):
        city, state, zip_code, country = (
            loc.findtext(t) for t in ("city", "state", "zip", "country")
        )
        if country:
            facts.countries.add(country.strip())
        placed = place_site(city.strip() if city else None, state, zip_code, country)
        if placed is not None:  # by its ZIP code, else its city (as ingest does)
            facts.sites.append((placed.lat, placed.lon))
    return facts


def _key(date: str | None) -> str:
    parts = (date or "").split("-") + ["00", "00"]
    return "-".join(parts[:3]) if date else ""


@pytest.fixture(scope="session")
def sample_facts() -> dict[str, Facts]:
    """Every trial of the bundled sample, as its raw record says, newest version kept."""
    folder = sample_dir()
    ordered: list[Facts] = [from_v2(json.loads((folder / "NCT06001853.json").read_text()))]
    with gzip.open(folder / "ctgov_v2_studies.jsonl.gz", "rt", encoding="utf-8") as fh:
        ordered += [from_v2(json.loads(line)) for line in fh if line.strip()]
    with zipfile.ZipFile(folder / "ctgov_xml_studies.zip") as zf:
        for name in zf.namelist():
            if name.endswith(".xml"):
                ordered.append(from_xml(zf.read(name).decode("utf-8")))
    kept: dict[str, Facts] = {}
    for facts in ordered:
        old = kept.get(facts.nct_id)
        if old is None or _key(facts.updated) >= _key(old.updated):
            kept[facts.nct_id] = facts
    return kept
