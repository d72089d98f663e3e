"""Legacy ClinicalTrials.gov ``clinical_study`` XML (AllPublicXML / TREC) → :class:`Study`.

Yields the same normalized model as the API v2 mapper for the same facts: registry
text becomes API v2 codes (``Phase 1/Phase 2`` → ``["PHASE1", "PHASE2"]``, ``Unknown
status`` → ``UNKNOWN``; text without a known code becomes its upper-snake spelling,
never dropped), dates keep their precision, ages keep their text. A value the record
does not give stays None. Legacy XML has no site coordinates (``geo`` stays None).

The parts are built as plain dicts shaped like the model and validated once by
``Study.model_validate`` (every key and type checked, extras forbidden): several times
faster than building each part as a model, which matters for bulk loads.

Safety: registry XML is untrusted. A document carrying a DOCTYPE (the only place
entity declarations can live) is refused before the parser sees it, so no entity is
ever declared or expanded and nothing external is fetched; the C parser then reads
plain XML from a ``str`` (always UTF-8 to expat, so the check sees what the parser
sees). Equivalent to ``defusedxml`` with ``forbid_dtd=True``, about twice as fast.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from fractions import Fraction
from functools import lru_cache
from typing import Any
from xml.etree.ElementTree import Element

from pydantic import ValidationError

from trialatlas.model.study import Age, Study
from trialatlas.normalize.ctgov_xml_results import (
    Json,
    child_text,
    child_texts,
    clean_text,
    fields,
    map_results,
    to_code,
)
from trialatlas.normalize.values import RecordError, check_nct_id, parse_age, parse_partial_date

ROOT = "clinical_study"
_DTD_RE = re.compile(r"<!\s*(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_BULLET_RE = re.compile(r"(?:[-*•o]|\d{1,3}[.)]|[A-Za-z][.)]|\([0-9A-Za-z]{1,4}\))\s+")
_OLD_DESIGN_SPLIT_RE = re.compile(r",\s*(?=[A-Z][A-Za-z ]*:)")
_BLIND_RE = re.compile(r"[\s-]*blind(?:ed)?$", re.IGNORECASE)
_AGE_RE = re.compile(r"^(\d+(?:\.\d+)?)\s*([A-Za-z]+?)s?$")
_YEARS_PER_UNIT = {"year": Fraction(1), "month": Fraction(1, 12), "week": Fraction(28, 1461),
                   "day": Fraction(4, 1461), "hour": Fraction(1, 8766),
                   "minute": Fraction(1, 525960)}  # fmt: skip

_STATUS = {"Unknown status": "UNKNOWN"}
_PHASE = {"N/A": "NA", "Early Phase 1": "EARLY_PHASE1", "Phase 0": "EARLY_PHASE1",
          "Phase 1": "PHASE1", "Phase 2": "PHASE2", "Phase 3": "PHASE3", "Phase 4": "PHASE4"}  # fmt: skip
_STUDY_TYPE = {"N/A": "NA", "Observational [Patient Registry]": "OBSERVATIONAL"}
_ALLOCATION = {"N/A": "NA"}
_PURPOSE = {"Educational/Counseling/Training": "ECT"}
_MASKING = {"none": "NONE", "open label": "NONE", "single": "SINGLE", "double": "DOUBLE",
            "triple": "TRIPLE", "quadruple": "QUADRUPLE"}  # fmt: skip
_WHO_MASKED = {"Participant": "PARTICIPANT", "Subject": "PARTICIPANT",
               "Care Provider": "CARE_PROVIDER", "Caregiver": "CARE_PROVIDER",
               "Investigator": "INVESTIGATOR", "Outcomes Assessor": "OUTCOMES_ASSESSOR"}  # fmt: skip
_SEX = {"Both": "ALL"}
_AGENCY_CLASS = {"U.S. Fed": "FED", "US Fed": "FED"}
_IPD_INFO = {"Statistical Analysis Plan (SAP)": "SAP", "Informed Consent Form (ICF)": "ICF",
             "Clinical Study Report (CSR)": "CSR"}  # fmt: skip
_DATE_TYPE = {"Actual": "ACTUAL", "Anticipated": "ESTIMATED", "Estimate": "ESTIMATED",
              "Estimated": "ESTIMATED"}  # fmt: skip
_YES_NO = {"Yes": True, "No": False}
_HEALTHY = {"Accepts Healthy Volunteers": True, "Yes": True, "No": False}
_OVERSIGHT = ("has_dmc", "is_fda_regulated_drug", "is_fda_regulated_device",
              "is_unapproved_device", "is_us_export")  # fmt: skip
_OLD_DESIGN_KEYS = {"Allocation": "allocation", "Intervention Model": "intervention_model",
                    "Masking": "masking", "Primary Purpose": "primary_purpose",
                    "Observational Model": "observational_model",
                    "Time Perspective": "time_perspective"}  # fmt: skip


def parse_xml(text: str) -> Element:
    """Parse one ``clinical_study`` document safely; RecordError("xml", …) when refused."""
    if not isinstance(text, str):
        raise RecordError("xml", f"expected XML text, got {type(text).__name__}")
    if _DTD_RE.search(text):
        raise RecordError("xml", "DOCTYPE/entity declarations are not allowed")
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise RecordError("xml", str(exc)) from exc
    if root.tag != ROOT:
        raise RecordError("xml", f"root element is <{root.tag}>, expected <{ROOT}>")
    return root


def clean_textblock(raw: str | None) -> str | None:
    """A ``textblock`` as clean text: paragraphs joined by a blank line, wrapped lines rejoined.

    The registry indents every line, wraps it near 80 columns (continuation lines
    aligned under the text) and ends lines with ``&#xD;``. Here the common indentation
    goes, each paragraph or list item becomes one line, and list items keep their
    marker (``-  ``, ``1. ``) and relative indentation, so nested criteria stay nested.
    """
    if raw is None:
        return None
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    if "\t" in text:
        text = text.expandtabs(4)
    items: list[tuple[int, list[str]] | None] = []  # (indent, parts); None = paragraph break
    parts: list[str] = []
    content_col = -1  # text column of the open item; -1 after a blank line
    for line in text.split("\n"):
        body = line.lstrip(" ")
        indent = len(line) - len(body)
        body = body.rstrip()
        if not body:
            if content_col >= 0:
                items.append(None)
                content_col = -1
            continue
        if content_col >= 0 and indent >= content_col:
            parts.append(body)  # wrapped continuation (the common case: no regex)
            continue
        marker = _BULLET_RE.match(body)
        if content_col >= 0 and marker is None:
            parts.append(body)
            continue
        parts = [body]
        items.append((indent, parts))
        content_col = indent + (marker.end() if marker else 0)
    base = min((item[0] for item in items if item is not None), default=0)
    lines = ["" if item is None else " " * (item[0] - base) + " ".join(item[1]) for item in items]
    return "\n".join(lines).strip("\n").replace("\n\n\n", "\n\n") or None


class _Doc:
    """The root's children by tag, read once."""

    def __init__(self, root: Element) -> None:
        self.kids: dict[str, list[Element]] = {}
        for child in root:
            self.kids.setdefault(child.tag, []).append(child)

    def el(self, tag: str) -> Element | None:
        found = self.kids.get(tag)
        return found[0] if found else None

    def all(self, tag: str) -> list[Element]:
        return self.kids.get(tag, [])

    def text(self, tag: str) -> str | None:
        found = self.kids.get(tag)
        return clean_text(found[0].text) if found else None

    def texts(self, tag: str) -> list[str]:
        return [t for el in self.all(tag) if (t := clean_text(el.text))]

    def textblock(self, tag: str) -> str | None:
        return _textblock(self.el(tag))


def _textblock(el: Element | None) -> str | None:
    return clean_textblock(el.findtext("textblock")) if el is not None else None


def _yes_no(text: str | None, path: str, table: dict[str, bool] = _YES_NO) -> bool | None:
    if text is None:
        return None
    if text not in table:
        raise RecordError(path, f"expected one of {', '.join(table)}, got {text!r}")
    return table[text]


@lru_cache(maxsize=65536)
def _cached_date(text: str, kind: str | None, path: str) -> Json | None:
    parsed = parse_partial_date(text, path, kind)
    return parsed.model_dump() if parsed is not None else None


def _date(doc: _Doc, *tags: str) -> Json | None:
    """The first of ``tags`` given, as a partial date with its ACTUAL/ESTIMATED type."""
    for tag in tags:
        el = doc.el(tag)
        text = clean_text(el.text) if el is not None else None
        if el is None or text is None or text == "Unknown":
            continue
        kind = el.get("type")
        if kind is not None and kind not in _DATE_TYPE:
            raise RecordError(f"{ROOT}/{tag}/@type", f"unknown date type {kind!r}")
        return _cached_date(text, _DATE_TYPE.get(kind or ""), f"{ROOT}/{tag}")
    return None


@lru_cache(maxsize=4096)
def _age(text: str | None, path: str) -> Age | None:
    return parse_age(text, path)


def _person(f: dict[str, str | None]) -> str | None:
    """``first middle last, degrees`` (the legacy XML keeps most of it in last_name)."""
    name = " ".join(t for k in ("first_name", "middle_name", "last_name") if (t := f.get(k)))
    if degrees := f.get("degrees"):
        name = f"{name}, {degrees}" if name else degrees
    return name or None


def _contact(el: Element, role: str | None) -> Json:
    f = fields(el)
    return {"name": _person(f), "role": role or to_code(f.get("role")), "phone": f.get("phone"),
            "phone_ext": f.get("phone_ext"), "email": f.get("email")}  # fmt: skip


def _organization(el: Element | None, path: str) -> Json | None:
    f = fields(el)
    if el is None:
        return None
    if not f.get("agency"):
        raise RecordError(f"{path}/agency", "sponsor without a name")
    return {"name": f["agency"], "org_class": to_code(f.get("agency_class"), _AGENCY_CLASS)}


def _identification(doc: _Doc, sponsors: Json) -> Json:
    info = doc.el("id_info")
    path = f"{ROOT}/id_info"
    source = doc.text("source")  # the record's organization; its class only by that name
    orgs = [o for o in (sponsors["lead_sponsor"], *sponsors["collaborators"]) if o]
    org_class = next((o["org_class"] for o in orgs if o["name"] == source), None)
    return {
        "nct_id": check_nct_id(child_text(info, "nct_id"), f"{path}/nct_id"),
        "brief_title": doc.text("brief_title"),
        "official_title": doc.text("official_title"),
        "acronym": doc.text("acronym"),
        "org_study_id": child_text(info, "org_study_id"),
        "organization": {"name": source, "org_class": org_class} if source else None,
        "secondary_ids": [{"id": t} for t in child_texts(info, "secondary_id")],
        "nct_id_aliases": [
            check_nct_id(t, f"{path}/nct_alias") for t in child_texts(info, "nct_alias")
        ],
    }


def _sponsors(doc: _Doc) -> Json:
    el = doc.el("sponsors")
    path = f"{ROOT}/sponsors"
    party = fields(doc.el("responsible_party"))
    responsible = {
        "type": to_code(party.get("responsible_party_type")),
        "investigator_full_name": party.get("investigator_full_name"),
        "investigator_title": party.get("investigator_title"),
        "investigator_affiliation": party.get("investigator_affiliation"),
        "old_name_title": party.get("name_title"),
        "old_organization": party.get("organization"),
    }
    collaborators = el.findall("collaborator") if el is not None else []
    return {
        "lead_sponsor": _organization(
            el.find("lead_sponsor") if el is not None else None, f"{path}/lead_sponsor"
        ),  # fmt: skip
        "collaborators": [_organization(c, f"{path}/collaborator") for c in collaborators],
        "responsible_party": responsible if any(responsible.values()) else None,
    }


def _status(doc: _Doc) -> Json:
    return {
        "overall_status": to_code(doc.text("overall_status"), _STATUS),
        "last_known_status": to_code(doc.text("last_known_status"), _STATUS),
        "why_stopped": doc.text("why_stopped"),
        "status_verified_date": _date(doc, "verification_date"),
        "start_date": _date(doc, "start_date"),
        "primary_completion_date": _date(doc, "primary_completion_date"),
        "completion_date": _date(doc, "completion_date"),
        "first_submitted": _date(doc, "study_first_submitted", "firstreceived_date"),
        "first_posted": _date(doc, "study_first_posted"),
        "results_first_posted": _date(doc, "results_first_posted"),
        "last_update_submitted": _date(doc, "last_update_submitted", "lastchanged_date"),
        "last_update_posted": _date(doc, "last_update_posted"),
        "has_expanded_access": _yes_no(
            doc.text("has_expanded_access"), f"{ROOT}/has_expanded_access"
        ),
    }


def _masking(text: str | None) -> tuple[str | None, list[str]]:
    """``Double (Participant, Investigator)``, ``Double Blind (Subject, Caregiver)``, ``None (Open Label)``."""
    if text is None:
        return None, []
    head, _, rest = text.partition("(")
    head = _BLIND_RE.sub("", head.strip())
    masking = _MASKING.get(head.lower()) or to_code(head)
    if masking == "NONE":
        return masking, []
    who = [w.strip() for w in rest.rstrip(")").split(",") if w.strip()]
    return masking, [_WHO_MASKED.get(w) or to_code(w) or w for w in who]


def _design(doc: _Doc) -> Json:
    f = fields(doc.el("study_design_info"))
    old = doc.text("study_design")  # pre-2017 "Allocation: Randomized, Masking: …" string
    if not f and old:
        for part in _OLD_DESIGN_SPLIT_RE.split(old):
            key, sep, value = part.partition(":")
            if sep and key.strip() in _OLD_DESIGN_KEYS:
                f[_OLD_DESIGN_KEYS[key.strip()]] = value.strip() or None
    study_type = doc.text("study_type")
    phase = doc.text("phase")
    phases = [] if phase is None else ["N/A"] if phase == "N/A" else phase.split("/")
    masking, who = _masking(f.get("masking"))
    model = f.get("intervention_model")
    enrollment = doc.el("enrollment")
    count = clean_text(enrollment.text) if enrollment is not None else None
    if count is not None and not count.isdigit():
        raise RecordError(f"{ROOT}/enrollment", f"expected a whole number, got {count!r}")
    kind = enrollment.get("type") if enrollment is not None else None
    if kind is not None and kind not in _DATE_TYPE:
        raise RecordError(f"{ROOT}/enrollment/@type", f"unknown enrollment type {kind!r}")
    return {
        "study_type": to_code(study_type, _STUDY_TYPE),
        "phases": [to_code(p.strip(), _PHASE) for p in phases],
        "allocation": to_code(f.get("allocation"), _ALLOCATION),
        "intervention_model": to_code(model.removesuffix(" Assignment") if model else None),
        "intervention_model_description": f.get("intervention_model_description"),
        "primary_purpose": to_code(f.get("primary_purpose"), _PURPOSE),
        "observational_model": to_code(f.get("observational_model")),
        "time_perspective": to_code(f.get("time_perspective")),
        "masking": masking,
        "who_masked": who,
        "masking_description": f.get("masking_description"),
        "enrollment_count": int(count) if count is not None else None,
        "enrollment_type": _DATE_TYPE[kind] if kind else None,
        "target_duration": doc.text("target_duration"),
        "patient_registry": True if study_type == "Observational [Patient Registry]" else None,
    }


def _arms_interventions(doc: _Doc) -> tuple[list[Json], list[Json]]:
    interventions: list[Json] = []
    labels: list[str] = []  # "Type: Name", as API v2 lists an arm's interventions
    for i, el in enumerate(doc.all("intervention")):
        f = fields(el)
        name, kind = f.get("intervention_name"), f.get("intervention_type")
        if name is None:
            raise RecordError(f"{ROOT}/intervention[{i}]/intervention_name", "missing name")
        labels.append(f"{kind}: {name}" if kind else name)
        interventions.append({"name": name, "type": to_code(kind), "description": f.get("description"),
                              "other_names": child_texts(el, "other_name"),
                              "arm_labels": child_texts(el, "arm_group_label")})  # fmt: skip
    arms: list[Json] = []
    for i, el in enumerate(doc.all("arm_group")):
        f = fields(el)
        label = f.get("arm_group_label")
        if label is None:
            raise RecordError(f"{ROOT}/arm_group[{i}]/arm_group_label", "missing label")
        # The XML links arms and interventions on the intervention side only; the same
        # links, read from the arm, in intervention order.
        names = [
            lab for lab, iv in zip(labels, interventions, strict=True) if label in iv["arm_labels"]
        ]
        arms.append({"label": label, "type": to_code(f.get("arm_group_type")),
                     "description": f.get("description"),
                     "intervention_names": list(dict.fromkeys(names))})  # fmt: skip
    return arms, interventions


def _outcomes(doc: _Doc) -> list[Json]:
    outcomes: list[Json] = []
    for kind in ("primary", "secondary", "other"):
        for i, el in enumerate(doc.all(f"{kind}_outcome")):
            f = fields(el)
            if f.get("measure") is None:
                raise RecordError(f"{ROOT}/{kind}_outcome[{i}]/measure", "missing measure")
            outcomes.append({"kind": kind, "measure": f["measure"], "description": f.get("description"),
                             "time_frame": f.get("time_frame")})  # fmt: skip
    return outcomes


def _years(age: Age | None) -> Fraction | None:
    m = _AGE_RE.match(age.text) if age is not None else None
    unit = _YEARS_PER_UNIT.get(m.group(2).lower()) if m else None
    return Fraction(m.group(1)) * unit if m and unit is not None else None


def std_ages(minimum: Age | None, maximum: Age | None) -> list[str]:
    """The registry's age groups overlapping the range: CHILD <18, ADULT 18–64, OLDER_ADULT ≥65."""
    low = _years(minimum) or Fraction(0)
    high = _years(maximum)
    groups = []
    if low < 18:
        groups.append("CHILD")
    if low < 65 and (high is None or high >= 18):
        groups.append("ADULT")
    if high is None or high >= 65:
        groups.append("OLDER_ADULT")
    return groups


def _eligibility(doc: _Doc) -> Json:
    el = doc.el("eligibility")
    if el is None:
        return {}
    path = f"{ROOT}/eligibility"
    f = fields(el)
    minimum = _age(f.get("minimum_age"), f"{path}/minimum_age")
    maximum = _age(f.get("maximum_age"), f"{path}/maximum_age")
    return {
        "criteria_text": _textblock(el.find("criteria")),
        "sex": to_code(f.get("gender"), _SEX),
        "gender_based": _yes_no(f.get("gender_based"), f"{path}/gender_based"),
        "gender_description": f.get("gender_description"),
        "minimum_age": minimum.model_dump() if minimum else None,
        "maximum_age": maximum.model_dump() if maximum else None,
        "std_ages": std_ages(minimum, maximum),
        "healthy_volunteers": _yes_no(
            f.get("healthy_volunteers"), f"{path}/healthy_volunteers", _HEALTHY
        ),
        "study_population": _textblock(el.find("study_pop")),
        "sampling_method": to_code(f.get("sampling_method")),
    }


def _location(el: Element) -> Json:
    facility = el.find("facility")
    address = fields(facility.find("address") if facility is not None else None)
    contacts = [_contact(c, "CONTACT") for c in el if c.tag in ("contact", "contact_backup")]
    contacts += [_contact(i, None) for i in el.findall("investigator")]
    return {"facility": child_text(facility, "name"), "status": to_code(child_text(el, "status")),
            "city": address.get("city"), "state": address.get("state"), "zip": address.get("zip"),
            "country": address.get("country"), "contacts": contacts}  # fmt: skip


def _officials(doc: _Doc) -> list[Json]:
    officials: list[Json] = []
    for i, el in enumerate(doc.all("overall_official")):
        f = fields(el)
        if (name := _person(f)) is None:
            raise RecordError(f"{ROOT}/overall_official[{i}]/last_name", "missing name")
        officials.append(
            {"name": name, "affiliation": f.get("affiliation"), "role": to_code(f.get("role"))}
        )
    return officials


def _references(doc: _Doc) -> list[Json]:
    return [
        {"citation": f.get("citation"), "pmid": f.get("PMID"), "type": kind}
        for tag, kind in (("reference", "BACKGROUND"), ("results_reference", "RESULT"))
        for f in map(fields, doc.all(tag))
    ]


def _links(doc: _Doc) -> list[Json]:
    links: list[Json] = []
    for i, f in enumerate(map(fields, doc.all("link"))):
        if f.get("url") is None:
            raise RecordError(f"{ROOT}/link[{i}]/url", "link without a URL")
        links.append({"url": f["url"], "label": f.get("description")})
    return links


def _ipd_sharing(doc: _Doc) -> Json | None:
    el = doc.el("patient_data")
    if el is None:
        return None
    f = fields(el)
    return {"plan": to_code(f.get("sharing_ipd")), "description": f.get("ipd_description"),
            "info_types": [to_code(t, _IPD_INFO) for t in child_texts(el, "ipd_info_type")],
            "time_frame": f.get("ipd_time_frame"), "access_criteria": f.get("ipd_access_criteria"),
            "url": f.get("ipd_url")}  # fmt: skip


def _mesh(doc: _Doc, tag: str) -> list[Json]:
    return [{"term": t} for t in child_texts(doc.el(tag), "mesh_term")]


def normalize_xml(text: str) -> Study:
    """Map one legacy ``clinical_study`` XML document to a :class:`Study`.

    Raises :class:`RecordError` for a DOCTYPE/entity declaration, malformed XML, a root
    other than ``clinical_study`` and any unreadable value (named by element path).
    """
    doc = _Doc(parse_xml(text))
    oversight = fields(doc.el("oversight_info"))
    sponsors = _sponsors(doc)
    arms, interventions = _arms_interventions(doc)
    results = doc.el("clinical_results")
    contact_els = doc.all("overall_contact") + doc.all("overall_contact_backup")
    study: dict[str, Any] = {
        "source_format": "ctgov_xml",
        "identification": _identification(doc, sponsors),
        "status": _status(doc),
        "sponsors": sponsors,
        "oversight": {
            k: _yes_no(oversight.get(k), f"{ROOT}/oversight_info/{k}") for k in _OVERSIGHT
        },
        "brief_summary": doc.textblock("brief_summary"),
        "detailed_description": doc.textblock("detailed_description"),
        "conditions": doc.texts("condition"),
        "keywords": doc.texts("keyword"),
        "condition_mesh": _mesh(doc, "condition_browse"),
        "intervention_mesh": _mesh(doc, "intervention_browse"),
        "design": _design(doc),
        "arms": arms,
        "interventions": interventions,
        "outcomes": _outcomes(doc),
        "eligibility": _eligibility(doc),
        "central_contacts": [_contact(c, "CONTACT") for c in contact_els],
        "overall_officials": _officials(doc),
        "locations": [_location(el) for el in doc.all("location")],
        "references": _references(doc),
        "see_also_links": _links(doc),
        "ipd_sharing": _ipd_sharing(doc),
        "has_results": results is not None,
        "results": map_results(results) if results is not None else None,
    }
    try:
        return Study.model_validate(study)
    except ValidationError as exc:  # every value is checked above: a mapper bug if reached
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise RecordError(where, f"{first['msg']} (model check on the normalized study)") from exc
