"""Study → rows of the normalized tables (pure; no SQL execution here)."""

from __future__ import annotations

from typing import Any

from trialatlas.model.study import PartialDate, Study

Row = tuple[Any, ...]


def _date(value: PartialDate | None) -> str | None:
    return value.value if value else None


def study_row(study: Study) -> dict[str, Any]:
    """Core columns of ``studies`` (without the document blob)."""
    s, d, e = study.status, study.design, study.eligibility
    lead = study.sponsors.lead_sponsor
    return {
        "nct_id": study.nct_id,
        "source_format": study.source_format,
        "brief_title": study.identification.brief_title,
        "official_title": study.identification.official_title,
        "acronym": study.identification.acronym,
        "overall_status": s.overall_status,
        "study_type": d.study_type,
        "phases": "|".join(d.phases) or None,
        "start_date": _date(s.start_date),
        "primary_completion_date": _date(s.primary_completion_date),
        "completion_date": _date(s.completion_date),
        "first_posted": _date(s.first_posted),
        "last_update_posted": _date(s.last_update_posted),
        "enrollment_count": d.enrollment_count,
        "enrollment_type": d.enrollment_type,
        "sex": e.sex,
        "min_age_days": e.minimum_age.days if e.minimum_age else None,
        "max_age_days": e.maximum_age.days if e.maximum_age else None,
        "healthy_volunteers": None if e.healthy_volunteers is None else int(e.healthy_volunteers),
        "has_results": int(study.has_results),
        "lead_sponsor": lead.name if lead else None,
        "lead_sponsor_class": lead.org_class if lead else None,
    }


def child_rows(study: Study) -> dict[str, list[Row]]:
    """Rows of every child table, each starting with ``nct_id``."""
    n = study.nct_id
    sponsors: list[Row] = []
    if study.sponsors.lead_sponsor:
        lead = study.sponsors.lead_sponsor
        sponsors.append((n, 0, "lead", lead.name, lead.org_class))
    sponsors += [
        (n, i + 1, "collaborator", c.name, c.org_class)
        for i, c in enumerate(study.sponsors.collaborators)
    ]
    ident = study.identification
    identifiers: list[Row] = []
    if ident.org_study_id:
        identifiers.append((n, 0, ident.org_study_id, "org_study_id", None))
    identifiers += [
        (n, i + 1, sid.id, sid.type, sid.domain) for i, sid in enumerate(ident.secondary_ids)
    ]
    return {
        "conditions": [(n, i, c) for i, c in enumerate(study.conditions)],
        "keywords": [(n, i, k) for i, k in enumerate(study.keywords)],
        "mesh_terms": [(n, "condition", m.term, m.id) for m in study.condition_mesh]
        + [(n, "intervention", m.term, m.id) for m in study.intervention_mesh],
        "interventions": [
            (n, i, iv.type, iv.name, iv.description, "|".join(iv.other_names) or None)
            for i, iv in enumerate(study.interventions)
        ],
        "arms": [(n, i, a.label, a.type, a.description) for i, a in enumerate(study.arms)],
        "outcomes": [(n, i, o.kind, o.measure, o.time_frame) for i, o in enumerate(study.outcomes)],
        "sponsors": sponsors,
        "officials": [
            (n, i, o.name, o.role, o.affiliation) for i, o in enumerate(study.overall_officials)
        ],
        "locations": [
            (
                n,
                i,
                loc.facility,
                loc.status,
                loc.city,
                loc.state,
                loc.zip,
                loc.country,
                loc.geo.lat if loc.geo else None,
                loc.geo.lon if loc.geo else None,
                loc.geo.precision if loc.geo else None,
            )
            for i, loc in enumerate(study.locations)
        ],
        "study_references": [
            (n, i, r.pmid, r.type, r.citation) for i, r in enumerate(study.references)
        ],
        "identifiers": identifiers,
    }


def fts_row(study: Study) -> tuple[str, str, str, str, str, str]:
    """Text of the full-text columns: title, conditions, interventions, keywords, summary, description."""
    ident = study.identification
    titles = " ".join(t for t in (ident.brief_title, ident.official_title, ident.acronym) if t)
    conditions = " ".join(study.conditions + [m.term for m in study.condition_mesh])
    interventions = " ".join(
        [iv.name for iv in study.interventions]
        + [o for iv in study.interventions for o in iv.other_names]
        + [m.term for m in study.intervention_mesh]
    )
    return (
        titles,
        conditions,
        interventions,
        " ".join(study.keywords),
        study.brief_summary or "",
        study.detailed_description or "",
    )
