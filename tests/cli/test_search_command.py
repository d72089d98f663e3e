"""``trialatlas search``: every filter of /api/search, plain lines off a terminal, errors.

The seed store holds 13 real records; the expected sets below were checked by hand
against those records (results posted, healthy volunteers, sponsor, dates …).
"""

from __future__ import annotations

import json

import pytest
from rich.console import Console
from typer.testing import CliRunner

from trialatlas.cli.main import app
from trialatlas.cli.search_command import print_hits
from trialatlas.model.search import NearestSite, SearchHit, SearchResults

runner = CliRunner()
ALL = {
    "NCT00004464", "NCT00004492", "NCT00122499", "NCT00461552", "NCT00461721",
    "NCT00494689", "NCT01768676", "NCT03500406", "NCT03571217", "NCT03810573",
    "NCT05381142", "NCT05816499", "NCT06001853",
}  # fmt: skip
WITH_RESULTS = {"NCT00461552", "NCT01768676", "NCT03500406"}
HEALTHY = {"NCT01768676", "NCT05381142"}
HEALTHY_NOT_STATED = {"NCT03571217"}


def _ids(db: str, *args: str) -> list[str]:
    result = runner.invoke(app, ["search", "--db", db, "--json", "--limit", "100", *args])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    ids = [hit["nct_id"] for hit in body["results"]]
    assert body["total"] == len(ids)
    return ids


def test_no_filter_finds_every_trial(seed_store_path: str) -> None:
    assert set(_ids(seed_store_path)) == ALL


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--results"], WITH_RESULTS),
        (["--no-results"], ALL - WITH_RESULTS),
        (["--healthy"], HEALTHY),
        (["--no-healthy"], ALL - HEALTHY - HEALTHY_NOT_STATED),
        (["--sponsor-class", "industry"], {"NCT01768676", "NCT03810573", "NCT05381142"}),
        (["--study-type", "Observational"], {"NCT00461721", "NCT00494689", "NCT03571217"}),
        (["--sponsor", "Mayo"], {"NCT03500406", "NCT06001853"}),
        (["--sponsor", "Anhui"], {"NCT05816499"}),  # a collaborator
        (["--condition", "erectile"], {"NCT00122499", "NCT01768676", "NCT03500406"}),
        (["--intervention", "placebo"], {"NCT00461552", "NCT01768676", "NCT05381142"}),
        (
            ["--start-from", "2020-01-01"],
            {"NCT03810573", "NCT05381142", "NCT05816499", "NCT06001853"},
        ),
        (["--start-to", "2002-12-31"], {"NCT00004464", "NCT00004492", "NCT00494689"}),
        (["--updated-from", "2024-01-01"], {"NCT03810573", "NCT05816499", "NCT06001853"}),
        (["--updated-to", "2007-12-31"], {"NCT00122499", "NCT00494689"}),
        (
            ["--start-from", "2012-01-01", "--start-to", "2018-12-31", "--results"],
            {"NCT01768676", "NCT03500406"},
        ),
        (["--healthy", "--sponsor-class", "INDUSTRY", "--results"], {"NCT01768676"}),
    ],
)
def test_filters(seed_store_path: str, args: list[str], expected: set[str]) -> None:
    assert set(_ids(seed_store_path, *args)) == expected


def test_every_sort_key(seed_store_path: str) -> None:
    assert _ids(seed_store_path, "--sort", "start_date", "--order", "relevance")[:3] == [
        "NCT03810573",  # 2024-03-01
        "NCT06001853",  # 2023-11-03
        "NCT05816499",  # 2023-02-16
    ]
    assert _ids(seed_store_path, "--sort", "last_update", "--order", "relevance")[:2] == [
        "NCT06001853",
        "NCT05816499",
    ]
    # by default (as /api/search) the trials open to enrollment come first
    grouped = _ids(seed_store_path, "--sort", "start_date")
    assert sorted(grouped) == sorted(_ids(seed_store_path, "--order", "relevance"))
    assert grouped != _ids(seed_store_path, "--sort", "start_date", "--order", "relevance")
    assert _ids(seed_store_path, "erectile", "--sort", "relevance")[0] == "NCT01768676"
    result = runner.invoke(
        app,
        ["search", "--db", seed_store_path, "--json", "--near", "Jacksonville, FL"]
        + ["--radius", "20000km", "--sort", "nearest", "--limit", "100", "--order", "relevance"],
    )
    assert result.exit_code == 0, result.output
    hits = json.loads(result.stdout)["results"]
    assert hits[0]["nct_id"] == "NCT06001853"  # Mayo Clinic in Florida, Jacksonville
    distances = [h["nearest_site"]["distance_km"] for h in hits]
    # the site sits at its ZIP code (32224) centroid, ~21 km from the city centre
    assert distances == sorted(distances) and 20 < distances[0] < 22


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--start-from", "2020-13-01"], "--start-from: not a date; use YYYY-MM-DD"),
        (["--updated-to", "yesterday"], "--updated-to: not a date"),
        (["--sponsor-class", "bogus"], "--sponsor-class: unknown sponsor class; use one of"),
        (["--study-type", "bogus"], "--study-type: unknown study type; use one of"),
        (["--sort", "oldest"], "--sort: "),
        (["--start-from", "2022-01-01", "--start-to", "2021-01-01"], "the start date range ends"),
        (["pain", "--sort", "nearest"], "needs a place: give one with --near"),
    ],
)
def test_bad_values_exit_2(seed_store_path: str, args: list[str], message: str) -> None:
    result = runner.invoke(app, ["search", "--db", seed_store_path, *args])
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stdout == ""


def test_unknown_place_lists_each_suggestion_once(seed_store_path: str) -> None:
    result = runner.invoke(app, ["search", "--db", seed_store_path, "--near", "Jaksonvile"])
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert lines[0] == "error: unknown place 'Jaksonvile'; did you mean:"
    suggestions = [line.strip() for line in lines[1:]]
    assert "Jacksonville, Florida, United States" in suggestions
    assert len(suggestions) == len(set(suggestions))
    assert result.stderr.count("Jacksonville, Florida, United States") == 1


def test_text_off_a_terminal_is_plain_lines_with_full_titles(seed_store_path: str) -> None:
    result = runner.invoke(
        app, ["search", "--db", seed_store_path, "--near", "Jacksonville, FL", "--sort", "nearest"]
    )
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "1 trial within 50 miles (80 km) of Jacksonville, Florida, United States"
    assert lines[2:5] == [
        "NCT06001853  Active, not recruiting  Phase 2",
        "  Allogeneic BM-MSC's in Patients With Lumbar Facet Arthropathy",
        "  Conditions: Lumbar Facet Arthropathy, Low Back Pain",
    ]
    assert lines[5].startswith("  Nearest site: Mayo Clinic in Florida, Jacksonville, Florida")
    assert lines[5].endswith(" — about 13 mi (21 km)")
    assert "…" not in result.stdout and "┃" not in result.stdout


def test_long_titles_are_never_cut(seed_store_path: str) -> None:
    result = runner.invoke(app, ["search", "--db", seed_store_path, "--limit", "100"])
    body = json.loads(
        runner.invoke(app, ["search", "--db", seed_store_path, "--limit", "100", "--json"]).stdout
    )
    for hit in body["results"]:
        assert f"  {hit['title']}\n" in result.stdout


def test_wide_terminal_table_keeps_titles_whole() -> None:
    title = "A Very Long Title of a Trial That Goes On " * 3
    hit = SearchHit(
        nct_id="NCT00000001",
        title=title.strip(),
        status_label="Recruiting",
        nearest_site=NearestSite(facility="[Clinic]", city="Town", distance_km=8.0),
    )
    console = Console(force_terminal=True, width=160, record=True, color_system=None)
    print_hits(SearchResults(total=1, results=[hit]), console)
    text = " ".join(console.export_text().split())
    assert "[Clinic], Town" in text and "5.0 mi" in text
    assert "…" not in text


@pytest.mark.parametrize(
    ("unit", "first", "other"), [(None, "mi", "km"), ("mi", "mi", "km"), ("km", "km", "mi")]
)
def test_distances_in_one_unit_first(
    seed_store_path: str, unit: str | None, first: str, other: str
) -> None:
    # issue 12: one unit per answer, the chosen one first and the other in brackets,
    # the site placed at its ZIP code said as "about" (never an exact-looking decimal)
    args = ["search", "--db", seed_store_path, "--near", "Jacksonville, FL", "--radius", "50mi"]
    result = runner.invoke(app, args + (["--unit", unit] if unit else []))
    assert result.exit_code == 0, result.output
    site = next(line for line in result.stdout.splitlines() if "Mayo Clinic in Florida" in line)
    assert "— about " in site and f" {first} (" in site and site.endswith(f" {other})"), site
    summary = result.stdout.splitlines()[0]
    assert (
        "within 50 miles (80 km)" in summary
        if first == "mi"
        else "within 80 km (50 miles)" in summary
    )


def test_a_bad_unit_exits_2(seed_store_path: str) -> None:
    result = runner.invoke(app, ["search", "--db", seed_store_path, "--unit", "furlong"])
    assert result.exit_code == 2
    assert "--unit" in result.stderr
