"""Legacy ClinicalTrials.gov ``clinical_study`` XML (AllPublicXML / TREC) → :class:`Study`.

Yields the same normalized model as the API v2 mapper for the same facts: registry
text is turned into API v2 codes (``Phase 1/Phase 2`` → ``["PHASE1", "PHASE2"]``,
``Unknown status`` → ``UNKNOWN``; text without a known code becomes its upper-snake
spelling, never dropped), dates keep their precision, ages keep their text. A value
the record does not give stays None. Legacy XML has no site coordinates.

Safety: registry XML is untrusted. A document that carries a DOCTYPE (the only place
entity declarations can live) is refused before the parser sees it, so no entity is
ever expanded and nothing external is fetched; the C parser then reads plain XML.
This is equivalent to ``defusedxml`` with ``forbid_dtd=True`` and about twice as fast.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from fractions import Fraction
from xml.etree.ElementTree import Element

from trialatlas.model.study import (
    Age,
    Arm,
    Contact,
    Design,
    Eligibility,
    Identification,
    Intervention,
    IpdSharing,
    Link,
    Location,
    MeshTerm,
    Official,
    Organization,
    Outcome,
    Oversight,
    PartialDate,
    Reference,
    ResponsibleParty,
    SecondaryId,
    Sponsors,
    Status,
    Study,
)
from trialatlas.normalize.ctgov_xml_results import child_text, clean_text, map_results, to_code
from trialatlas.normalize.values import RecordError, check_nct_id, parse_age, parse_partial_date

ROOT = "clinical_study"
_DTD_RE = re.compile(r"<!\s*(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_BULLET_RE = re.compile(r"(?:[-*•o]|\d{1,3}[.)]|[A-Za-z][.)]|\([0-9A-Za-z]{1,4}\))\s+")
_BLANK_LINES_RE = re.compile(r"\n[ \t]*\n")
_AGE_YEARS_RE = re.compile(r"^(\d+(?:\.\d+)?)\s*([A-Za-z]+?)s?$")
_YEARS_PER_UNIT = {
    "year": Fraction(1),
    "month": Fraction(1, 12),
    "week": Fraction(28, 1461),
    "day": Fraction(4, 1461),
    "hour": Fraction(4, 1461 * 24),
    "minute": Fraction(4, 1461 * 1440),
}

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
        root = ET.fromstring(text)  # str input: expat reads it as UTF-8, no DTD possible
    except ET.ParseError as exc:
        raise RecordError("xml", str(exc)) from exc
    if root.tag != ROOT:
        raise RecordError("xml", f"root element is <{root.tag}>, expected <{ROOT}>")
    return root


def clean_textblock(raw: str | None) -> str | None:
    """A ``textblock`` as clean text: paragraphs joined by a blank line, wrapped lines rejoined.

    The registry indents every line and wraps it near 80 columns, ending lines with
    ``&#xD;``. Here the common indentation is removed, each paragraph or list item
    becomes one line, and list items keep their marker (``-  ``, ``1. ``) and their
    relative indentation, so nested criteria stay nested.
    """
    if raw is None:
        return None
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    if "\t" in text:
        text = text.expandtabs(4)
    lines = [ln.rstrip() for ln in text.split("\n")]
    base = min((len(ln) - len(ln.lstrip(" ")) for ln in lines if ln), default=0)
    paragraphs: list[str] = []
    for block in _BLANK_LINES_RE.split("\n".join(lines)):
        items: list[list[str]] = []  # [indent + first text, further parts...]
        content_col = 0
        for line in block.split("\n"):
            body = line.lstrip(" ")
            if not body:
                continue
            indent = len(line) - len(body)
            marker = _BULLET_RE.match(body)
            if items and not (marker and indent < content_col):
                items[-1].append(body)
                continue
            items.append([" " * max(indent - base, 0) + body])
            content_col = indent + (marker.end() if marker else 0)
        if items:
            paragraphs.append("\n".join(" ".join(parts) for parts in items))
    return "\n\n".join(paragraphs) or None


class _Doc:
    """The root's children by tag, read once (first child, all children, texts)."""

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
        el = self.el(tag)
        return clean_text(el.text) if el is not None else None

    def texts(self, tag: str) -> list[str]:
        return [t for el in self.all(tag) if (t := clean_text(el.text))]

    def textblock(self, tag: str) -> str | None:
        el = self.el(tag)
        return clean_textblock(el.findtext("textblock")) if el is not None else None


def _yes_no(text: str | None, path: str, table: dict[str, bool] = _YES_NO) -> bool | None:
    if text is None:
        return None
    if text not in table:
        raise RecordError(path, f"expected one of {', '.join(table)}, got {text!r}")
    return table[text]


def _date(doc: _Doc, *tags: str) -> PartialDate | None:
    """The first of ``tags`` present, as a partial date with its ACTUAL/ESTIMATED type."""
    for tag in tags:
        el = doc.el(tag)
        text = clean_text(el.text) if el is not None else None
        if el is None or text is None or text == "Unknown":
            continue
        kind = el.get("type")
        path = f"{ROOT}/{tag}"
        if kind is not None and kind not in _DATE_TYPE:
            raise RecordError(f"{path}/@type", f"unknown date type {kind!r}")
        return parse_partial_date(text, path, _DATE_TYPE.get(kind or ""))
    return None


def _person(el: Element) -> str | None:
    """``first middle last, degrees`` of a contact or investigator (the XML keeps most in last)."""
    name = " ".join(
        t for tag in ("first_name", "middle_name", "last_name") if (t := child_text(el, tag))
    )
    degrees = child_text(el, "degrees")
    if degrees:
        name = f"{name}, {degrees}" if name else degrees
    return name or None


def _contact(el: Element, role: str | None) -> Contact:
    return Contact(
        name=_person(el),
        role=role,
        phone=child_text(el, "phone"),
        phone_ext=child_text(el, "phone_ext"),
        email=child_text(el, "email"),
    )


def _organization(el: Element | None, path: str) -> Organization | None:
    if el is None:
        return None
    name = child_text(el, "agency")
    if name is None:
        raise RecordError(f"{path}/agency", "sponsor without a name")
    return Organization(name=name, org_class=to_code(child_text(el, "agency_class"), _AGENCY_CLASS))


def _identification(doc: _Doc, sponsors: Sponsors) -> Identification:
    info = doc.el("id_info")
    path = f"{ROOT}/id_info"
    source = doc.text("source")
    organization = None
    if source is not None:  # <source> is the record's organization; its class only by name
        known = [
            o for o in [sponsors.lead_sponsor, *sponsors.collaborators] if o and o.name == source
        ]
        organization = Organization(name=source, org_class=known[0].org_class if known else None)
    return Identification(
        nct_id=check_nct_id(child_text(info, "nct_id"), f"{path}/nct_id"),
        brief_title=doc.text("brief_title"),
        official_title=doc.text("official_title"),
        acronym=doc.text("acronym"),
        org_study_id=child_text(info, "org_study_id"),
        organization=organization,
        secondary_ids=[
            SecondaryId(id=t)
            for el in (info.iterfind("secondary_id") if info is not None else [])
            if (t := clean_text(el.text))
        ],
        nct_id_aliases=[
            check_nct_id(t, f"{path}/nct_alias")
            for el in (info.iterfind("nct_alias") if info is not None else [])
            if (t := clean_text(el.text))
        ],
    )


def _sponsors(doc: _Doc) -> Sponsors:
    el = doc.el("sponsors")
    path = f"{ROOT}/sponsors"
    party = doc.el("responsible_party")
    responsible = None
    if party is not None:
        responsible = ResponsibleParty(
            type=to_code(child_text(party, "responsible_party_type")),
            investigator_full_name=child_text(party, "investigator_full_name"),
            investigator_title=child_text(party, "investigator_title"),
            investigator_affiliation=child_text(party, "investigator_affiliation"),
            old_name_title=child_text(party, "name_title"),
            old_organization=child_text(party, "organization"),
        )
        if not responsible.model_dump(exclude_none=True):
            responsible = None
    return Sponsors(
        lead_sponsor=_organization(el.find("lead_sponsor"), f"{path}/lead_sponsor")
        if el is not None
        else None,
        collaborators=[
            org
            for c in (el.iterfind("collaborator") if el is not None else [])
            if (org := _organization(c, f"{path}/collaborator"))
        ],
        responsible_party=responsible,
    )


def _status(doc: _Doc) -> Status:
    return Status(
        overall_status=to_code(doc.text("overall_status"), _STATUS),
        last_known_status=to_code(doc.text("last_known_status"), _STATUS),
        why_stopped=doc.text("why_stopped"),
        status_verified_date=_date(doc, "verification_date"),
        start_date=_date(doc, "start_date"),
        primary_completion_date=_date(doc, "primary_completion_date"),
        completion_date=_date(doc, "completion_date"),
        first_submitted=_date(doc, "study_first_submitted", "firstreceived_date"),
        first_posted=_date(doc, "study_first_posted"),
        results_first_posted=_date(doc, "results_first_posted"),
        last_update_submitted=_date(doc, "last_update_submitted", "lastchanged_date"),
        last_update_posted=_date(doc, "last_update_posted"),
        has_expanded_access=_yes_no(doc.text("has_expanded_access"), f"{ROOT}/has_expanded_access"),
    )


def _masking(text: str | None) -> tuple[str | None, list[str]]:
    """``Double (Participant, Investigator)``, ``Double Blind (Subject, Caregiver)``, ``None (Open Label)``."""
    if text is None:
        return None, []
    head, _, rest = text.partition("(")
    head = re.sub(r"[\s-]*blind(ed)?$", "", head.strip(), flags=re.IGNORECASE)
    masking = _MASKING.get(head.lower()) or to_code(head)
    if masking == "NONE":
        return masking, []
    who = [w.strip() for w in rest.rstrip(")").split(",") if w.strip()]
    return masking, [to_code(w, _WHO_MASKED) or w for w in who]


def _design(doc: _Doc) -> Design:
    info = doc.el("study_design_info")
    fields = {k: child_text(info, k) for k in _OLD_DESIGN_KEYS.values()}
    old = doc.text("study_design")  # pre-2017 "Allocation: Randomized, Masking: …" string
    if info is None and old:
        for part in re.split(r",\s*(?=[A-Z][A-Za-z ]*:)", old):
            key, sep, value = part.partition(":")
            if sep and key.strip() in _OLD_DESIGN_KEYS:
                fields[_OLD_DESIGN_KEYS[key.strip()]] = value.strip() or None
    study_type = doc.text("study_type")
    phase = doc.text("phase")
    phases = [] if phase is None else ["NA"] if phase == "N/A" else phase.split("/")
    masking, who = _masking(fields["masking"])
    model = fields["intervention_model"]
    enrollment = doc.el("enrollment")
    count = clean_text(enrollment.text) if enrollment is not None else None
    if count is not None and not count.isdigit():
        raise RecordError(f"{ROOT}/enrollment", f"expected a whole number, got {count!r}")
    kind = enrollment.get("type") if enrollment is not None else None
    if kind is not None and kind not in _DATE_TYPE:
        raise RecordError(f"{ROOT}/enrollment/@type", f"unknown enrollment type {kind!r}")
    return Design(
        study_type=to_code(study_type, _STUDY_TYPE),
        phases=[to_code(p.strip(), _PHASE) or p for p in phases],
        allocation=to_code(fields["allocation"], _ALLOCATION),
        intervention_model=to_code(model.removesuffix(" Assignment") if model else None),
        intervention_model_description=child_text(info, "intervention_model_description"),
        primary_purpose=to_code(fields["primary_purpose"], _PURPOSE),
        observational_model=to_code(fields["observational_model"]),
        time_perspective=to_code(fields["time_perspective"]),
        masking=masking,
        who_masked=who,
        masking_description=child_text(info, "masking_description"),
        enrollment_count=int(count) if count is not None else None,
        enrollment_type=_DATE_TYPE[kind] if kind else None,  # type: ignore[arg-type]
        target_duration=doc.text("target_duration"),
        patient_registry=True if study_type == "Observational [Patient Registry]" else None,
    )


def _arms_interventions(doc: _Doc) -> tuple[list[Arm], list[Intervention]]:
    interventions: list[Intervention] = []
    for i, el in enumerate(doc.all("intervention")):
        name = child_text(el, "intervention_name")
        if name is None:
            raise RecordError(f"{ROOT}/intervention[{i}]/intervention_name", "missing name")
        interventions.append(
            Intervention(
                name=name,
                type=to_code(child_text(el, "intervention_type")),
                description=child_text(el, "description"),
                other_names=[t for o in el.iterfind("other_name") if (t := clean_text(o.text))],
                arm_labels=[t for a in el.iterfind("arm_group_label") if (t := clean_text(a.text))],
            )
        )
    arms: list[Arm] = []
    for i, el in enumerate(doc.all("arm_group")):
        label = child_text(el, "arm_group_label")
        if label is None:
            raise RecordError(f"{ROOT}/arm_group[{i}]/arm_group_label", "missing label")
        # The XML links arms and interventions from the intervention side only; API v2
        # lists the same links on the arm as "Type: Name", in intervention order.
        names = [
            f"{kind}: {iv.name}" if (kind := child_text(el_i, "intervention_type")) else iv.name
            for el_i, iv in zip(doc.all("intervention"), interventions, strict=True)
            if label in iv.arm_labels
        ]
        arms.append(
            Arm(
                label=label,
                type=to_code(child_text(el, "arm_group_type")),
                description=child_text(el, "description"),
                intervention_names=list(dict.fromkeys(names)),
            )
        )
    return arms, interventions


def _outcomes(doc: _Doc) -> list[Outcome]:
    outcomes: list[Outcome] = []
    for kind in ("primary", "secondary", "other"):
        for i, el in enumerate(doc.all(f"{kind}_outcome")):
            measure = child_text(el, "measure")
            if measure is None:
                raise RecordError(f"{ROOT}/{kind}_outcome[{i}]/measure", "missing measure")
            outcomes.append(
                Outcome(
                    kind=kind,  # type: ignore[arg-type]
                    measure=measure,
                    description=child_text(el, "description"),
                    time_frame=child_text(el, "time_frame"),
                )
            )
    return outcomes


def _years(age: Age | None) -> Fraction | None:
    if age is None:
        return None
    m = _AGE_YEARS_RE.match(age.text)
    unit = m.group(2).lower() if m else ""
    return Fraction(m.group(1)) * _YEARS_PER_UNIT[unit] if m and unit in _YEARS_PER_UNIT else None


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


def _eligibility(doc: _Doc) -> Eligibility:
    el = doc.el("eligibility")
    if el is None:
        return Eligibility()
    path = f"{ROOT}/eligibility"
    minimum = parse_age(child_text(el, "minimum_age"), f"{path}/minimum_age")
    maximum = parse_age(child_text(el, "maximum_age"), f"{path}/maximum_age")
    return Eligibility(
        criteria_text=clean_textblock(el.findtext("criteria/textblock")),
        sex=to_code(child_text(el, "gender"), _SEX),
        gender_based=_yes_no(child_text(el, "gender_based"), f"{path}/gender_based"),
        gender_description=child_text(el, "gender_description"),
        minimum_age=minimum,
        maximum_age=maximum,
        std_ages=std_ages(minimum, maximum),
        healthy_volunteers=_yes_no(
            child_text(el, "healthy_volunteers"), f"{path}/healthy_volunteers", _HEALTHY
        ),
        study_population=clean_textblock(el.findtext("study_pop/textblock")),
        sampling_method=to_code(child_text(el, "sampling_method")),
    )


def _locations(doc: _Doc) -> list[Location]:
    locations: list[Location] = []
    for el in doc.all("location"):
        contacts = [
            _contact(c, "CONTACT")
            for tag in ("contact", "contact_backup")
            for c in el.iterfind(tag)
        ]
        contacts += [
            _contact(i, to_code(child_text(i, "role"))) for i in el.iterfind("investigator")
        ]
        facility = el.find("facility")
        address = facility.find("address") if facility is not None else None
        locations.append(
            Location(
                facility=child_text(facility, "name"),
                status=to_code(child_text(el, "status")),
                city=child_text(address, "city"),
                state=child_text(address, "state"),
                zip=child_text(address, "zip"),
                country=child_text(address, "country"),
                contacts=contacts,
            )
        )
    return locations


def _officials(doc: _Doc) -> list[Official]:
    officials: list[Official] = []
    for i, el in enumerate(doc.all("overall_official")):
        name = _person(el)
        if name is None:
            raise RecordError(f"{ROOT}/overall_official[{i}]/last_name", "missing name")
        role = to_code(child_text(el, "role"))
        officials.append(Official(name=name, affiliation=child_text(el, "affiliation"), role=role))
    return officials


def _references(doc: _Doc) -> list[Reference]:
    return [
        Reference(citation=child_text(el, "citation"), pmid=child_text(el, "PMID"), type=kind)
        for tag, kind in (("reference", "BACKGROUND"), ("results_reference", "RESULT"))
        for el in doc.all(tag)
    ]


def _links(doc: _Doc) -> list[Link]:
    links: list[Link] = []
    for i, el in enumerate(doc.all("link")):
        url = child_text(el, "url")
        if url is None:
            raise RecordError(f"{ROOT}/link[{i}]/url", "link without a URL")
        links.append(Link(url=url, label=child_text(el, "description")))
    return links


def _ipd_sharing(doc: _Doc) -> IpdSharing | None:
    el = doc.el("patient_data")
    if el is None:
        return None
    return IpdSharing(
        plan=to_code(child_text(el, "sharing_ipd")),
        description=child_text(el, "ipd_description"),
        info_types=[
            to_code(t, _IPD_INFO) or t
            for i in el.iterfind("ipd_info_type")
            if (t := clean_text(i.text))
        ],
        time_frame=child_text(el, "ipd_time_frame"),
        access_criteria=child_text(el, "ipd_access_criteria"),
        url=child_text(el, "ipd_url"),
    )


def _mesh(doc: _Doc, tag: str) -> list[MeshTerm]:
    el = doc.el(tag)
    if el is None:
        return []
    return [MeshTerm(term=t) for m in el.iterfind("mesh_term") if (t := clean_text(m.text))]


def normalize_xml(text: str) -> Study:
    """Map one legacy ``clinical_study`` XML document to a :class:`Study`.

    Raises :class:`RecordError` for a DOCTYPE/entity declaration, malformed XML, a root
    other than ``clinical_study`` and any unreadable value (named by element path).
    """
    doc = _Doc(parse_xml(text))
    oversight = doc.el("oversight_info")
    opath = f"{ROOT}/oversight_info"
    sponsors = _sponsors(doc)
    arms, interventions = _arms_interventions(doc)
    results = doc.el("clinical_results")
    contacts = [
        _contact(c, "CONTACT")
        for tag in ("overall_contact", "overall_contact_backup")
        for c in doc.all(tag)
    ]
    return Study(
        source_format="ctgov_xml",
        identification=_identification(doc, sponsors),
        status=_status(doc),
        sponsors=sponsors,
        oversight=Oversight(
            **{
                key: _yes_no(child_text(oversight, key), f"{opath}/{key}")
                for key in (
                    "has_dmc",
                    "is_fda_regulated_drug",
                    "is_fda_regulated_device",
                    "is_unapproved_device",
                    "is_us_export",
                )  # fmt: skip
            }
        ),
        brief_summary=doc.textblock("brief_summary"),
        detailed_description=doc.textblock("detailed_description"),
        conditions=doc.texts("condition"),
        keywords=doc.texts("keyword"),
        condition_mesh=_mesh(doc, "condition_browse"),
        intervention_mesh=_mesh(doc, "intervention_browse"),
        design=_design(doc),
        arms=arms,
        interventions=interventions,
        outcomes=_outcomes(doc),
        eligibility=_eligibility(doc),
        central_contacts=contacts,
        overall_officials=_officials(doc),
        locations=_locations(doc),
        references=_references(doc),
        see_also_links=_links(doc),
        ipd_sharing=_ipd_sharing(doc),
        has_results=results is not None,
        results=map_results(results) if results is not None else None,
    )
