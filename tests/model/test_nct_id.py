"""NCT IDs are ``NCT`` + eight ASCII digits wherever one is parsed (issue 14, item 4)."""

from __future__ import annotations

import pytest

from trialatlas.features.trial_page import canonical_nct_id
from trialatlas.model.nct_id import is_nct_id
from trialatlas.normalize.values import RecordError, check_nct_id
from trialatlas.store.sqlite.search_filters import nct_ids_in

ARABIC = "NCT" + "".join(chr(0x660 + d) for d in (0, 1, 2, 3, 4, 5, 6, 7))  # NCT٠١٢٣٤٥٦٧
FULLWIDTH = "NCT" + "".join(chr(0xFF10 + d) for d in (0, 1, 2, 3, 4, 5, 6, 7))
DEVANAGARI = "NCT0123456" + chr(0x0967) + chr(0x0968)
LOOK_ALIKES = [ARABIC, FULLWIDTH, DEVANAGARI, "NCT0123456", "NCT012345678", "NCT01234567\n"]


@pytest.mark.parametrize("text", LOOK_ALIKES)
def test_look_alikes_are_not_nct_ids(text: str) -> None:
    assert not is_nct_id(text)
    assert canonical_nct_id(text) is None or text.endswith("\n")  # strip() is allowed
    assert nct_ids_in(text) == [] or text.endswith("\n")
    if not text.endswith("\n"):
        with pytest.raises(RecordError, match="is not an NCT ID"):
            check_nct_id(text, "protocolSection.identificationModule.nctId")


def test_real_ids_still_parse() -> None:
    assert is_nct_id("NCT06001853")
    assert canonical_nct_id(" nct06001853 ") == "NCT06001853"
    assert nct_ids_in("NCT06001853, nct00000102") == ["NCT06001853", "NCT00000102"]
    assert check_nct_id("NCT06001853") == "NCT06001853"
    assert nct_ids_in(f"NCT06001853 {ARABIC}") == []


def test_routes_and_apis_refuse_non_ascii_digits(client) -> None:  # noqa: ANN001 (TestClient)
    assert client.get(f"/trials/{ARABIC}").status_code == 404
    assert client.get(f"/api/trials/{ARABIC}").status_code == 404
    v2 = client.get(f"/api/v2/studies/{ARABIC}")
    assert v2.status_code in (400, 404)
    fhir = client.get("/fhir/ResearchStudy", params={"identifier": ARABIC})
    assert fhir.status_code == 400
    search = client.get("/api/search", params={"q": ARABIC}).json()
    assert all(hit["nct_id"].isascii() for hit in search["results"])
