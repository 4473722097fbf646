"""Listening keywords for supervisors, relayed to the ingest service's admin API.

The ingest service owns the rule sets (its poller applies them). The inbox relays a
supervisor's reads and edits with the ingest admin key it is configured with, so the page
needs one sign-in and that key never reaches a browser. Ingest validates; its 404 and 422
come back as they are.
"""

import asyncio
import json
import logging
import urllib.error
import urllib.request
from typing import Annotated, Any

from fastapi import APIRouter, Body, HTTPException, Path
from fastapi.responses import Response

from socialcare_router.deps import (
    AUTH_ERRORS,
    BODY_ERRORS,
    ROLE_ERRORS,
    SettingsDep,
    Supervisor,
)
from socialcare_router.settings import RouterSettings
from socialcare_runtime.http_errors import error_responses

log = logging.getLogger(__name__)
router = APIRouter(prefix="/v1/listening-rules", tags=["listening"],
                   responses={**AUTH_ERRORS, **ROLE_ERRORS, **error_responses(
                       502, 503, s502="Ingest did not answer",
                       s503="No ingest admin key configured")})
# Ingest's own refusals, relayed as they are.
INGEST_ERRORS = error_responses(404, 422, s404="No such rule set",
                       s422="Invalid input: ingest's reason, per field")
RuleSetId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_.-]{1,64}$")]
RELAYED = {200, 204, 404, 422}


def _call(base_url: str, key: str, method: str, path: str,
          body: dict[str, Any] | None) -> tuple[int, bytes]:
    request = urllib.request.Request(
        f"{base_url}/v1/listening/rules{path}", method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"X-API-Key": key,
                 "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - configured URL
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()
    except (urllib.error.URLError, OSError) as exc:
        log.warning("listening rules: ingest unreachable: %s", type(exc).__name__)
        return 502, b""


async def _relay(settings: RouterSettings, method: str, path: str = "",
                 body: dict[str, Any] | None = None) -> Response:
    key = settings.listening_key
    if key is None:
        raise HTTPException(503, "listening keywords are not configured here: set "
                                 "SOCIALCARE_LISTENING_ADMIN_KEY")
    status, content = await asyncio.to_thread(_call, settings.listening_api, key, method,
                                              path, body)
    if status not in RELAYED:
        raise HTTPException(502, "the ingest service did not answer" if status == 502 else
                            f"the ingest service answered {status}")
    return Response(content or None, status, media_type="application/json")


@router.get("")
async def list_rule_sets(_: Supervisor, settings: SettingsDep) -> Response:
    """Every listening rule set and the X query it makes."""
    return await _relay(settings, "GET")


@router.put("/{rule_set}", responses={**BODY_ERRORS, **error_responses(
    422, s422="Invalid input: ingest's reason, per field")})
async def put_rule_set(rule_set: RuleSetId, _: Supervisor, settings: SettingsDep,
                       rules: Annotated[dict[str, Any], Body()]) -> Response:
    """Creates or replaces a rule set (brand names, abbreviations, misspellings, keywords)."""
    return await _relay(settings, "PUT", f"/{rule_set}", rules)


@router.delete("/{rule_set}", status_code=204, responses=INGEST_ERRORS)
async def delete_rule_set(rule_set: RuleSetId, _: Supervisor, settings: SettingsDep
                          ) -> Response:
    return await _relay(settings, "DELETE", f"/{rule_set}")
