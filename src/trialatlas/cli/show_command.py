"""``trialatlas show``: one trial's full registry page in the terminal, or its JSON.

The text follows the page section by section, in the order of
:attr:`TrialPage.sections <trialatlas.features.trial_page.TrialPage.sections>`, with the
labels the feature result already carries: nothing is recomputed here. Posted results
print as plain-text tables (groups as columns, cells wrapped), or one block per row
when a table is wider than the screen. Styles are dropped when stdout is not a terminal.
``--json`` prints the same result as ``/api/trials/{nct_id}``. The text is written by
:mod:`.page_text`, the results tables by :mod:`.results_text`.
"""

from __future__ import annotations

from typing import Any

import orjson
from rich.console import Console
from rich.markup import escape

from trialatlas.cli.page_text import PageText
from trialatlas.features.trial_page import trial_page
from trialatlas.store.base import Store


def render_show(
    store: Store, nct_id: str, as_json: bool, writer: Any = None, vectors: Any = None
) -> int:
    """Print the page (text or JSON, the same feature result as ``/api/trials/{id}``).

    ``writer`` is the patient-summary writer the web app uses (None: rule-based);
    ``vectors`` the store's vector index (related trials, as the web app finds them).
    Returns the exit code: 0, or 1 when the store has no such trial.
    """
    # The patient summary is part of the JSON only (text prints the registry page).
    page = trial_page(store, nct_id, with_patient_summary=as_json, writer=writer, vectors=vectors)
    if page is None:
        Console(stderr=True, highlight=False).print(
            f"No trial with NCT ID {escape(nct_id[:40])} in this store."
        )
        return 1
    if as_json:
        print(orjson.dumps(page.model_dump(mode="json"), option=orjson.OPT_INDENT_2).decode())
        return 0
    out = Console(highlight=False, soft_wrap=True)
    PageText(out).render(page)
    return 0
