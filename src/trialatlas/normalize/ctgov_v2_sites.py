"""API v2 contacts and study sites: contact people, site addresses and geo points.

A site's ``geoPoint`` becomes a site-precision point (both numbers, in range).
"""

from __future__ import annotations

from typing import Any

from trialatlas.normalize.ctgov_v2_fields import Tree, dict_list, get_float, texts
from trialatlas.normalize.values import RecordError

_CONTACT = {
    "name": "name",
    "role": "role",
    "phone": "phone",
    "phoneExt": "phone_ext",
    "email": "email",
}
_LOCATION = {
    "facility": "facility",
    "status": "status",
    "city": "city",
    "state": "state",
    "zip": "zip",
    "country": "country",
}


def contacts_tree(obj: dict[str, Any], key: str, path: str) -> list[Tree]:
    """The contact people of list ``key`` (name, role, phone, email)."""
    return [texts(c, _CONTACT, p) for c, p in dict_list(obj, key, path)]


def _geo(point: Any, path: str) -> Tree:
    """``geoPoint {lat, lon}`` → a site-precision GeoPoint; both numbers, in range."""
    if not isinstance(point, dict):
        raise RecordError(path, f"expected an object, got {type(point).__name__}")
    lat = get_float(point, "lat", path)
    lon = get_float(point, "lon", path)
    if lat is None or lon is None:
        raise RecordError(path, "geoPoint needs both lat and lon")
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        raise RecordError(path, f"coordinates out of range: lat {lat}, lon {lon}")
    return {"lat": lat, "lon": lon, "precision": "site"}


def locations_tree(mod: dict[str, Any], path: str) -> list[Tree]:
    """``contactsLocationsModule.locations`` → the study sites, with their points and contacts."""
    locations = []
    for loc, p in dict_list(mod, "locations", path):
        location = texts(loc, _LOCATION, p)
        point = loc.get("geoPoint")
        if point is not None:
            location["geo"] = _geo(point, f"{p}.geoPoint")
        if "contacts" in loc:
            location["contacts"] = contacts_tree(loc, "contacts", p)
        locations.append(location)
    return locations
