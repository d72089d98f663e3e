"""``/healthz``: is the store reachable, and how many studies does it hold.

The handler is async and reads the store on the app's own health thread, so it
answers while every page thread is busy (a slow page never stalls the probe).
"""

from __future__ import annotations

import asyncio
import logging

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from trialatlas.web.deps import app_state
from trialatlas.web.errors import json_error

router = APIRouter(tags=["health"])
log = logging.getLogger(__name__)


class Health(BaseModel):
    status: str
    studies: int


@router.get(
    "/healthz",
    response_model=Health,
    responses={503: {"description": "The store cannot be reached"}},
)
async def healthz(request: Request) -> Health | JSONResponse:
    """``{"status": "ok", "studies": N}``, or 503 with an error when the store is down."""
    state = app_state(request)
    try:
        loop = asyncio.get_running_loop()
        count = await loop.run_in_executor(
            state.health_executor, lambda: state.store().count_studies()
        )
    except Exception as exc:  # the store is down: say so instead of failing the probe
        log.warning("health check failed: %s", exc)
        return json_error(503, "The study store cannot be reached.", "store_unavailable")
    return Health(status="ok", studies=count)
