"""Admin API of the listening rules: ``/v1/listening/rules/{rule_set}``."""

from typing import Annotated

from fastapi import APIRouter, Depends, Header, HTTPException, Path
from pydantic import BaseModel

from socialcare_ingest.domain.listening import ListeningRules
from socialcare_ingest.listening.store import ListeningStore
from socialcare_ingest.settings import IngestSettings
from socialcare_runtime.http import find_by_secret
from socialcare_runtime.http_errors import error_responses

RuleSetId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_.-]{1,64}$")]


class RuleSet(BaseModel):
    id: str
    rules: ListeningRules
    query: str


def listening_routes(settings: IngestSettings, store: ListeningStore) -> APIRouter:
    """Rule management for admins; the poller applies changes on its next cycle."""
    admins = {key: f"admin-{i}" for i, key in enumerate(settings.ingest_admin_keys)}

    def admin(x_api_key: Annotated[str | None, Header()] = None) -> str:
        found = find_by_secret(x_api_key, admins)
        if found is None:
            raise HTTPException(401, "missing or unknown admin X-API-Key",
                                headers={"WWW-Authenticate": "ApiKey"})
        return found

    router = APIRouter(prefix="/v1/listening/rules", tags=["listening"],
                       responses=error_responses(401, s401="Missing or unknown admin key"))
    Admin = Annotated[str, Depends(admin)]

    @router.get("", response_model=list[RuleSet])
    async def list_rule_sets(_: Admin) -> list[RuleSet]:
        """Every rule set and the X query it makes."""
        return [RuleSet(id=i, rules=r, query=r.query()) for i, r in (await store.all()).items()]

    # Links: what a client (and the fuzzer's stateful phase) can do with a stored rule set.
    stored = {"links": {
        "GetRuleSet": {"operationId": "get_rule_set",
                       "parameters": {"rule_set": "$request.path.rule_set"}},
        "DeleteRuleSet": {"operationId": "delete_rule_set",
                          "parameters": {"rule_set": "$request.path.rule_set"}}}}

    @router.put("/{rule_set}", response_model=RuleSet, operation_id="put_rule_set",
                responses={200: stored, **error_responses(400, 413, 422)})
    async def put_rule_set(rule_set: RuleSetId, rules: ListeningRules, by: Admin) -> RuleSet:
        """Creates or replaces a rule set (422 when its query would be refused by X)."""
        await store.put(rule_set, rules, by)
        return RuleSet(id=rule_set, rules=rules, query=rules.query())

    @router.get("/{rule_set}", response_model=RuleSet, operation_id="get_rule_set",
                responses=error_responses(404, 422))
    async def get_rule_set(rule_set: RuleSetId, _: Admin) -> RuleSet:
        rules = await store.get(rule_set)
        if rules is None:
            raise HTTPException(404, f"no rule set {rule_set}")
        return RuleSet(id=rule_set, rules=rules, query=rules.query())

    @router.delete("/{rule_set}", status_code=204, operation_id="delete_rule_set",
                   responses=error_responses(404, 422))
    async def delete_rule_set(rule_set: RuleSetId, _: Admin) -> None:
        if not await store.delete(rule_set):
            raise HTTPException(404, f"no rule set {rule_set}")

    return router
