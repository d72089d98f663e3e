"""Query parameters of ``/api/v2/studies`` → a :class:`StudiesRequest`, or a 400 message.

Parameter names, value syntax and error wording follow the ClinicalTrials.gov API v2
(``query.*`` are searches, ``filter.*``/``postFilter.*`` restrict without ranking,
``aggFilters`` are the website's facet filters such as ``status:rec``). A parameter
this server does not know, or knows but does not implement, is refused with 400 so a
client never silently gets a different result set than it asked for.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from trialatlas.api.ctgov_v2.fields import FieldsError, Trie, parse_fields
from trialatlas.index.geo import KM_PER_MILE
from trialatlas.model.codes import LABELS
from trialatlas.model.validation_errors import shown_name
from trialatlas.normalize.values import NCT_ID_RE
from trialatlas.store.essie_query import EssieError, essie_fts, has_words, unsupported_operator
from trialatlas.store.listing import AgeGroup, GeoCircle, StudyListQuery, StudySort

DEFAULT_PAGE_SIZE = 10
MAX_PAGE_SIZE = 1000

QUERY_AREAS = {
    "query.term": "term",
    "query.cond": "cond",
    "query.intr": "intr",
    "query.titles": "titles",
    "query.spons": "spons_words",
    "query.lead": "lead_words",
    "query.locn": "locn_words",
    "query.id": "any_ids",
}
FILTERS = ("overallStatus", "geo", "ids")
LIST_PARAMS = frozenset(
    {*QUERY_AREAS, *(f"{p}.{f}" for p in ("filter", "postFilter") for f in FILTERS)}
    | {"aggFilters", "fields", "sort", "countTotal", "pageSize", "pageToken", "format"}
    | {"markupFormat"}
)
STUDY_PARAMS = frozenset({"format", "markupFormat", "fields"})
NOT_IMPLEMENTED = frozenset(
    {
        "query.outc",
        "query.patient",
        "filter.advanced",
        "filter.synonyms",
        "postFilter.advanced",
        "postFilter.synonyms",
        "geoDecay",
    }
)
STATUSES = frozenset(LABELS["overall_status"])
SORT_FIELDS = {
    "@relevance": "relevance",
    "lastupdatepostdate": "last_update_posted",
    "studyfirstpostdate": "first_posted",
    "startdate": "start_date",
    "primarycompletiondate": "primary_completion_date",
    "completiondate": "completion_date",
    "enrollmentcount": "enrollment_count",
}
# aggFilters ids and option keys (those of the ClinicalTrials.gov search page)
AGG_STATUS = {
    "rec": "RECRUITING", "not": "NOT_YET_RECRUITING", "act": "ACTIVE_NOT_RECRUITING",
    "enr": "ENROLLING_BY_INVITATION", "com": "COMPLETED", "sus": "SUSPENDED",
    "ter": "TERMINATED", "wit": "WITHDRAWN", "unk": "UNKNOWN", "ava": "AVAILABLE",
    "nla": "NO_LONGER_AVAILABLE", "tna": "TEMPORARILY_NOT_AVAILABLE",
    "afm": "APPROVED_FOR_MARKETING", "wh": "WITHHELD",
}  # fmt: skip
AGG_PHASE = {
    "0": "EARLY_PHASE1",
    "1": "PHASE1",
    "2": "PHASE2",
    "3": "PHASE3",
    "4": "PHASE4",
    "na": "NA",
}
AGG_TYPE = {"int": "INTERVENTIONAL", "obs": "OBSERVATIONAL", "exp": "EXPANDED_ACCESS"}
AGG_SEX = {"f": ("FEMALE", "ALL"), "m": ("MALE", "ALL"), "all": ("ALL",)}
AGG_AGES: dict[str, AgeGroup] = {"child": "CHILD", "adult": "ADULT", "older": "OLDER_ADULT"}
_SPLIT = re.compile(r"[,|]")
_GEO_RE = re.compile(
    r"^distance\(\s*([-+]?\d+(?:\.\d+)?)\s*,\s*([-+]?\d+(?:\.\d+)?)\s*,"
    r"\s*(\d+(?:\.\d+)?)\s*(mi|km)?\s*\)$",
    re.IGNORECASE,
)
_WORD_RE = re.compile(r"[^\W_]+(?:['’.][^\W_]+)*", re.UNICODE)
_ID_SPLIT = re.compile(r"[\s,|]+")
_PLACE_ALIASES = {"usa": "united states", "us": "united states", "uk": "united kingdom"}


class ParamError(ValueError):
    """A request the API refuses with 400; ``message`` is the plain-text body."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True)
class StudiesRequest:
    """One parsed ``/api/v2/studies`` request."""

    query: StudyListQuery
    page_size: int = DEFAULT_PAGE_SIZE
    page_token: str | None = None
    count_total: bool = False
    fields: Trie | None = None


def check_names(names: Iterable[str], allowed: frozenset[str]) -> None:
    """Refuse repeated, unknown and not implemented parameters (400, plain text)."""
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise ParamError(f"Parameter `{shown_name(name)}` is given more than once")
        seen.add(name)
        if name in NOT_IMPLEMENTED:
            raise ParamError(f"Parameter `{name}` is not supported by this server")
        if name not in allowed:
            raise ParamError(f"`{shown_name(name)}` is unknown parameter")


def check_format(params: dict[str, str]) -> None:
    """``format=json`` (the default) and ``markupFormat=markdown`` only."""
    fmt = params.get("format", "json")
    if fmt.lower() == "csv":
        raise ParamError("Parameter `format` value `csv` is not supported by this server")
    if fmt.lower() != "json":
        raise ParamError("Invalid value in parameter format (json)")
    markup = params.get("markupFormat", "markdown")
    if markup.lower() != "markdown":
        raise ParamError("Parameter `markupFormat`: only `markdown` is supported by this server")


def fields_param(params: dict[str, str]) -> Trie | None:
    """The ``fields`` selection; 400 with the registry's message for an unknown name."""
    try:
        return parse_fields(params.get("fields"))
    except FieldsError as exc:
        raise ParamError(str(exc)) from exc


def _words(text: str) -> tuple[str, ...]:
    words = [w.lower() for w in _WORD_RE.findall(text)]
    return tuple(dict.fromkeys(_PLACE_ALIASES.get(w, w) for w in words))


def _list(value: str) -> list[str]:
    return [v.strip() for v in _SPLIT.split(value) if v.strip()]


def _statuses(name: str, value: str) -> tuple[str, ...]:
    codes = [v.upper() for v in _list(value)]
    if not codes:
        raise ParamError(f"Invalid value in parameter {name}: empty list")
    for code in codes:
        if code not in STATUSES:
            raise ParamError(f"Invalid value in parameter {name} (an unknown status)")
    return tuple(dict.fromkeys(codes))


def parse_geo(name: str, value: str) -> GeoCircle:
    """``distance(lat,lon,50mi)`` (or ``km``; miles when no unit) → a circle in km."""
    m = _GEO_RE.match(value.strip())
    if not m:
        raise ParamError(f"{name} has incorrect format (distance(lat,lon,50mi))")
    lat, lon, dist = float(m.group(1)), float(m.group(2)), float(m.group(3))
    if not (-90 <= lat <= 90 and -180 <= lon <= 180) or dist <= 0:
        raise ParamError(f"{name} has incorrect format (distance(lat,lon,50mi))")
    unit = (m.group(4) or "mi").lower()
    return GeoCircle(lat, lon, dist * (KM_PER_MILE if unit == "mi" else 1.0))


def _nct_ids(name: str, value: str) -> tuple[str, ...]:
    ids = [v.upper() for v in _ID_SPLIT.split(value) if v]
    for nct in ids:
        if not NCT_ID_RE.match(nct):
            raise ParamError(f"{name} has incorrect format (NCT IDs)")
    if not ids:
        raise ParamError(f"{name} has incorrect format (NCT IDs)")
    return tuple(dict.fromkeys(ids))


def _agg_filters(value: str, out: dict[str, object]) -> None:
    """``status:rec com,phase:2 3,results:with`` → restrictions (options of one filter OR'ed)."""
    tables: dict[str, tuple[str, dict[str, object]]] = {
        "status": ("statuses", dict(AGG_STATUS)),
        "phase": ("phases", dict(AGG_PHASE)),
        "studyType": ("study_types", dict(AGG_TYPE)),
        "sex": ("sexes", dict(AGG_SEX)),
        "ages": ("age_groups", dict(AGG_AGES)),
        "results": ("has_results", {"with": True, "without": False}),
        "healthy": ("healthy_volunteers", {"y": True}),
    }
    for item in _list(value):
        key, sep, options = item.partition(":")
        if not sep or key.strip() not in tables or not options.split():
            raise ParamError("Invalid value in parameter aggFilters")
        target, table = tables[key.strip()]
        chosen = []
        for option in options.split():
            if option.lower() not in table:
                raise ParamError("Invalid value in parameter aggFilters")
            chosen.append(table[option.lower()])
        if target in ("has_results", "healthy_volunteers"):
            if len(set(chosen)) > 1:
                continue  # "with" and "without": no restriction
            out[target] = chosen[0]
            continue
        flat = [c for v in chosen for c in (v if isinstance(v, tuple) else (v,))]
        out[target] = _both(out.get(target), tuple(dict.fromkeys(flat)))


def parse_sort(value: str | None) -> tuple[StudySort, ...]:
    """``LastUpdatePostDate:desc,@relevance`` (at most two); dates and @relevance sort
    descending by default, numbers ascending."""
    if value is None:
        return ()
    items = _list(value)
    if not items or len(items) > 2:
        raise ParamError("Invalid value in parameter sort (one or two sort options)")
    out = []
    for item in items:
        name, _, direction = item.partition(":")
        key = SORT_FIELDS.get(name.strip().lower())
        if key is None or direction.lower() not in ("", "asc", "desc"):
            raise ParamError("Invalid value in parameter sort")
        desc = direction.lower() == "desc" if direction else key != "enrollment_count"
        out.append(StudySort(key, desc))  # type: ignore[arg-type]
    return tuple(out)


def _int(name: str, value: str) -> int:
    if not re.fullmatch(r"\d{1,9}", value.strip()):
        raise ParamError(f"{name} has incorrect format (a whole number)")
    return int(value)


def _bool(name: str, value: str) -> bool:
    if value.lower() not in ("true", "false"):
        raise ParamError(f"{name} has incorrect format (true or false)")
    return value.lower() == "true"


def _essie(name: str, text: str) -> None:
    """400 for an Essie expression this server cannot read (see ``docs/api-v2.md``)."""
    try:
        essie_fts(text)
    except EssieError as exc:
        raise ParamError(f"Parameter `{name}`: {exc}") from exc


def _plain_words(name: str, text: str) -> None:
    """``query.spons``/``lead``/``locn`` take words only: Essie operators are refused."""
    op = unsupported_operator(text)
    if op is None:
        op = next((t for t in re.split(r"[\s()\"]+", text) if t in ("AND", "OR", "NOT")), None)
    if op is not None:
        raise ParamError(
            f"Parameter `{name}`: Essie operator `{op}` is not supported here (`{name}` takes"
            " words; AND, OR, NOT, phrases and parentheses work in query.term, query.cond,"
            " query.intr and query.titles)"
        )


# the one Essie area search served: what an incremental sync asks for
_UPDATED_RANGE = re.compile(
    r"AREA\[\s*LastUpdatePostDate\s*\]\s*RANGE\[\s*([^,\]]*?)\s*,\s*([^,\]]*?)\s*\]",
    re.IGNORECASE,
)
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_AND_BEFORE = re.compile(r"\s*\bAND\s*$")
_AND_AFTER = re.compile(r"^\s*AND\b")


def _updated_range(name: str, text: str, out: dict[str, object]) -> str:
    """Takes ``AREA[LastUpdatePostDate]RANGE[from,to]`` (ISO dates, ``MIN``/``MAX`` for an
    open end) out of ``text`` into ``out``; returns the rest of the expression."""
    found = list(_UPDATED_RANGE.finditer(text))
    if not found:
        return text
    if len(found) > 1:
        raise ParamError(f"Parameter `{name}`: give AREA[LastUpdatePostDate]RANGE[...] once")
    start, end = found[0].group(1), found[0].group(2)
    for key, value, open_end in (("updated_from", start, "MIN"), ("updated_to", end, "MAX")):
        if value.upper() == open_end:
            continue
        if not _ISO_DATE.fullmatch(value):
            raise ParamError(
                f"Parameter `{name}`: RANGE bounds are dates (YYYY-MM-DD), MIN or MAX;"
                f" got `{value[:20]}`"
            )
        out[key] = value
    # the clause leaves with one AND that joined it ("a AND clause AND b" is "a AND b")
    before = _AND_BEFORE.sub("", text[: found[0].start()])
    after = text[found[0].end() :]
    if not before.strip():
        after = _AND_AFTER.sub("", after)
    return f"{before} {after}".strip()


def _queries(params: dict[str, str], out: dict[str, object]) -> None:
    """``query.*``: full-text areas keep the text (an Essie expression), the others become
    words or IDs. A text without any word matches nothing. ``query.term`` may also hold
    ``AREA[LastUpdatePostDate]RANGE[from,to]`` (alone or joined by AND)."""
    for name, attr in QUERY_AREAS.items():
        text = params.get(name, "").strip()
        if attr == "term" and text:
            text = _updated_range(name, text, out)
        if not text:
            continue
        tokens = [t.upper() for t in _ID_SPLIT.split(text) if t]
        if attr == "any_ids" or (attr == "term" and all(NCT_ID_RE.match(t) for t in tokens)):
            ids = tuple(dict.fromkeys(tokens))  # a list of IDs matches any of them
            out["any_ids"] = _both(out.get("any_ids"), ids)
        elif attr.endswith("_words"):
            _plain_words(name, text)
            if not has_words(text):
                out["nct_ids"] = ("",)  # punctuation only: no study matches
            out[attr] = _words(text)
        else:
            _essie(name, text)
            out[attr] = text


def _filters(params: dict[str, str], out: dict[str, object]) -> None:
    """``filter.*`` and its alias ``postFilter.*``; both given means both apply."""
    for prefix in ("filter", "postFilter"):
        name = f"{prefix}.overallStatus"
        if name in params:
            out["statuses"] = _both(out.get("statuses"), _statuses(name, params[name]))
        name = f"{prefix}.ids"
        if name in params:
            out["nct_ids"] = _both(out.get("nct_ids"), _nct_ids(name, params[name]))
        name = f"{prefix}.geo"
        if name in params:
            if "geo" in out:
                raise ParamError("Give one of filter.geo and postFilter.geo, not both")
            out["geo"] = parse_geo(name, params[name])


def _both(previous: object, values: tuple[str, ...]) -> tuple[str, ...]:
    """Values allowed by an earlier restriction and this one (``("",)`` matches nothing)."""
    if not isinstance(previous, tuple):
        return values
    return tuple(v for v in previous if v in values) or ("",)


def parse_studies_request(params: dict[str, str]) -> StudiesRequest:
    """Validate and parse the query parameters of ``/api/v2/studies``."""
    check_format(params)
    restrictions: dict[str, object] = {}
    _queries(params, restrictions)
    _filters(params, restrictions)
    if "aggFilters" in params:
        _agg_filters(params["aggFilters"], restrictions)
    sort = parse_sort(params.get("sort"))
    if not sort and any(restrictions.get(a) for a in ("term", "cond", "intr", "titles")):
        sort = (StudySort("relevance"),)  # text searches come best match first
    size = _int("pageSize", params.get("pageSize", str(DEFAULT_PAGE_SIZE)))
    if size < 1:
        raise ParamError(f"Invalid value in parameter pageSize (1 to {MAX_PAGE_SIZE})")
    token = params.get("pageToken")
    return StudiesRequest(
        query=StudyListQuery(sort=sort, **restrictions),  # type: ignore[arg-type]
        page_size=min(size, MAX_PAGE_SIZE),
        page_token=token if token else None,
        count_total=_bool("countTotal", params.get("countTotal", "false")),
        fields=fields_param(params),
    )
