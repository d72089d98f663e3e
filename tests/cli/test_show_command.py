"""``trialatlas show``: the full registry page as text, and its JSON twin."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from trialatlas.cli.main import app
from trialatlas.cli.results_text import table_lines
from trialatlas.features.results_tables import Column, ResultTable, Row
from trialatlas.features.trial_page import SECTIONS

runner = CliRunner()


def _show(db: str, *args: str) -> str:
    result = runner.invoke(app, ["show", "--db", db, *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_seed_text_has_every_section_in_page_order(seed_store_path: str) -> None:
    text = _show(seed_store_path, "NCT06001853")
    lines = text.splitlines()
    headings = [title for _, title, _ in SECTIONS]  # the related trials too (the store has some)
    positions = [lines.index(title) for title in headings]  # each heading is a line of its own
    assert positions == sorted(positions)


def test_seed_text_key_facts(seed_store_path: str) -> None:
    text = _show(seed_store_path, "NCT06001853")
    lines = text.splitlines()

    def section(title: str) -> list[str]:
        start = lines.index(title) + 1
        end = next((i for i in range(start, len(lines)) if lines[i] == ""), len(lines))
        return lines[start:end]

    assert lines[0] == "Allogeneic BM-MSC's in Patients With Lumbar Facet Arthropathy"
    assert section("Outcome Measures") == ["The registry record lists no outcome measures."]
    assert section("Responsible Party")[:2] == ["Wenchun Qu", "  Principal Investigator"]
    assert section("Countries") == ["United States"]
    assert section("Other Identifiers") == [
        "21-013278",
        "  Identifier Type: -",
        "  Identifier Source: org_study_id",
    ]
    assert "{" not in text and "type_label" not in text
    assert section("Related Links") == [
        "- Mayo Clinic Clinical Trials <https://www.mayo.edu/research/clinical-trials>"
    ]
    assert section("Individual Participant Data Sharing")
    assert "Status: Active, not recruiting" in section("Basic Information")
    assert "Masking: Triple" in section("Study Design")
    assert "Mayo Clinic — Lead sponsor (Organization type: Other)" in section("Sponsors")
    assert "  Jacksonville, Florida, United States" in section("Locations")
    assert section("Study Results")[0].startswith("The study team has not published")
    assert "see --json" not in text


def test_posted_results_print_as_tables(seed_store_path: str) -> None:
    text = _show(seed_store_path, "NCT01768676")
    results = text[text.index("\nStudy Results\n") : text.index("\nBasic Information\n")]
    lines = results.splitlines()
    assert "Participant flow" in lines and "Baseline characteristics" in lines
    assert "Outcome measures" in lines and "Adverse events" in lines
    # The flow table: groups as columns, a row per milestone, values under their group.
    header = next(line for line in lines if "Avanafil" in line and "Placebo" in line)
    started = next(line for line in lines if line.strip().startswith("Started"))
    assert started.split() == ["Started", "90", "91"]
    assert started.index("90") == header.index("Avanafil")
    assert started.index("91") == header.index("Placebo")
    assert any(line.split()[:2] == ["Male", "90"] for line in lines)  # baseline
    assert "Posted results: see" not in text


def test_json_is_the_api_json(seed_store_path: str, client) -> None:  # noqa: ANN001
    for nct_id in ("NCT06001853", "NCT01768676"):
        body = json.loads(_show(seed_store_path, nct_id, "--json"))
        assert body == client.get(f"/api/trials/{nct_id}").json()


def test_unknown_trial_exits_1(seed_store_path: str) -> None:
    result = runner.invoke(app, ["show", "--db", seed_store_path, "NCT00000000"])
    assert result.exit_code == 1
    assert "No trial with NCT ID NCT00000000" in result.stderr


def test_wide_table_falls_back_to_a_block_per_row() -> None:
    table = ResultTable(
        kind="baseline",
        title="Baseline characteristics",
        columns=[Column(id=f"G{i}", title=f"Group number {i} of many") for i in range(6)],
        rows=[
            Row(label="Age", kind="heading"),
            Row(label="Years", cells=[f"{30 + i}.5" for i in range(6)]),
        ],
    )
    lines = table_lines(table, 80)
    assert lines[:3] == ["Age", "  Years", "      Group number 0 of many: 30.5"]
    assert all(len(line) <= 80 for line in lines)
    wide = table_lines(table, 400)
    assert wide[-1].split() == ["Years", "30.5", "31.5", "32.5", "33.5", "34.5", "35.5"]
