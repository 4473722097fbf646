"""Clusters of near-duplicate messages, and one reply sent to every customer in a cluster.

The bulk reply is personal: each customer gets their own reply, rendered with their name
and details, on their own thread (or as a DM), with the agent's signature, through the same
path as any reply (stored once, then queued; retried by the same id without a second send).
Conversations resolved, held by another agent, or answered after their clustered message
are left out; a customer who writes again afterwards is individual work again.
"""

import asyncio
import hashlib
import uuid
from collections import Counter
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, HTTPException, Path, Query, Request
from pydantic import AwareDatetime, BaseModel, Field

from socialcare_router.adapters.send_quotas import quotas_of
from socialcare_router.api_conversations import reply_text
from socialcare_router.deps import (
    AUTH_ERRORS,
    BODY_ERRORS,
    ROLE_ERRORS,
    AnyUser,
    InboxDep,
    PublisherDep,
    SettingsDep,
    StoreDep,
    Supervisor,
    actor_of,
)
from socialcare_router.domain.conversation import Conversation
from socialcare_router.domain.permissions import Action, Actor, Forbidden, authorize
from socialcare_router.domain.surge import HOLDING_TAG
from socialcare_router.replies import ReplyQueue, queue_reply
from socialcare_router.views import ReplyRequest
from socialcare_runtime.http_errors import error_responses
from socialcare_runtime.send_quota import Quota

router = APIRouter(prefix="/v1", tags=["clusters"], responses=AUTH_ERRORS)
NOT_FOUND = error_responses(404, s404="No such cluster")
# Until a responder has sent on an account and recorded the limits its gateway advertises:
# the gateways' defaults (X: 100 posts per 15 minutes; Meta: 192 calls per page per hour),
# less the responders' default margin (10 %) and the fifth kept for one-off replies.
ASSUMED_QUOTAS = {"x": Quota(72, 900), "facebook": Quota(137, 3600),
                  "instagram": Quota(137, 3600)}
SAMPLES = 3


class ClusterSummary(BaseModel):
    id: str
    brand_account: str
    intent: str
    size: int
    first_at: AwareDatetime
    latest_at: AwareDatetime
    samples: list[str]


class PlatformPreview(BaseModel):
    platform: str
    replies: int
    minutes_to_send: float
    quota: Literal["advertised", "assumed"] = Field(
        description="advertised: the limits the platform's gateway gave the responders; "
        "assumed: the gateway defaults, until a reply has gone out on this account")


class ClusterDetail(ClusterSummary):
    conversations: int
    will_reply: list[PlatformPreview]
    left_out: dict[str, int]


class ClusterMember(BaseModel):
    platform: str
    platform_message_id: str
    conversation_id: str
    at: AwareDatetime


class ClusterMembers(BaseModel):
    total: int
    members: list[ClusterMember]


class BulkReplyAccepted(BaseModel):
    queued: int
    left_out: dict[str, int]
    reply_ids: list[str]


async def _cluster(store: Any, cluster_id: str, actor: Actor) -> dict[str, Any]:
    doc = await store.clusters.get(cluster_id)
    if doc is None or not actor.covers(doc["brand_account"]):
        raise HTTPException(404, f"no cluster {cluster_id}")
    return doc


async def _summary(store: Any, doc: dict[str, Any]) -> dict[str, Any]:
    keys = [m["message_key"] for m in doc.get("members", [])[:SAMPLES]]
    texts = await store.texts_of(keys) if keys else {}
    return {"id": doc["_id"], "brand_account": doc["brand_account"], "intent": doc["intent"],
            "size": doc.get("size", 0), "first_at": doc["first_at"],
            "latest_at": doc["latest_at"], "samples": [texts.get(k, "") for k in keys]}


async def _plan(store: Any, doc: dict[str, Any], actor: Actor
                ) -> tuple[list[Conversation], Counter[str]]:
    """The conversations the bulk reply goes to, and why the others are left out."""
    latest: dict[str, datetime] = {}
    for member in doc.get("members", []):
        at = member["at"]
        latest[member["conversation_id"]] = max(latest.get(member["conversation_id"], at), at)
    # Loaded together: the repository's lookups ready at once go as one $in query.
    conversations = await asyncio.gather(*(store.repository.get(c) for c in latest))
    left_out: Counter[str] = Counter()
    chosen = []
    for conversation, clustered_at in zip(conversations, latest.values(), strict=True):
        reason = _left_out(conversation, clustered_at, actor)
        if reason is None:
            chosen.append(conversation)
        else:
            left_out[reason] += 1
    return chosen, left_out


def _left_out(conversation: Conversation | None, clustered_at: datetime, actor: Actor
              ) -> str | None:
    if conversation is None or not conversation.is_open:
        return "resolved"
    try:
        authorize(actor, Action.REPLY, conversation.brand_account, conversation.assignee)
    except Forbidden:
        return "held_by_another_agent"
    last_response = conversation.last_response_at
    # A holding reply ("we are on it") is not the answer the cluster's reply brings.
    if last_response is not None and last_response >= clustered_at \
            and HOLDING_TAG not in conversation.tags:
        return "already_answered"
    return None


@router.get("/clusters", response_model=list[ClusterSummary])
async def list_clusters(user: AnyUser, store: StoreDep,
                        limit: Annotated[int, Query(ge=1, le=100)] = 20
                        ) -> list[dict[str, Any]]:
    """Today's biggest clusters of the caller's brands (two messages or more)."""
    docs = await store.clusters.largest(actor_of(user).brand_filter(), datetime.now(UTC),
                                        limit)
    return [await _summary(store, d) for d in docs]


@router.get("/clusters/{cluster_id}", response_model=ClusterDetail, responses=NOT_FOUND)
async def get_cluster(cluster_id: Annotated[str, Path(max_length=64)], user: AnyUser,
                      store: StoreDep) -> dict[str, Any]:
    """The cluster, and a preview of its bulk reply: how many replies per platform and how
    long the platforms' limits take to let them out."""
    actor = actor_of(user)
    doc = await _cluster(store, cluster_id, actor)
    chosen, left_out = await _plan(store, doc, actor)
    per_platform = Counter(c.platform for c in chosen)
    known = await quotas_of(store.db, doc["brand_account"], per_platform)
    return {**await _summary(store, doc), "conversations": len(chosen) + sum(left_out.values()),
            "will_reply": [_preview(p, n, known.get(p)) for p, n in sorted(per_platform.items())],
            "left_out": dict(left_out)}


def _preview(platform: str, replies: int, known: Quota | None) -> dict[str, Any]:
    quota = known or ASSUMED_QUOTAS.get(platform, ASSUMED_QUOTAS["x"])
    return {"platform": platform, "replies": replies,
            "minutes_to_send": quota.minutes_to_send(replies),
            "quota": "advertised" if known else "assumed"}


@router.get("/clusters/{cluster_id}/members", response_model=ClusterMembers,
            responses={**NOT_FOUND, **ROLE_ERRORS})
async def cluster_members(cluster_id: Annotated[str, Path(max_length=64)], user: Supervisor,
                          store: StoreDep, offset: Annotated[int, Query(ge=0)] = 0,
                          limit: Annotated[int, Query(ge=1, le=5_000)] = 1_000
                          ) -> dict[str, Any]:
    """The messages grouped into the cluster, in the order they joined, by their platform
    ids: what was grouped, to compare with what customers sent."""
    doc = await _cluster(store, cluster_id, actor_of(user))
    members = doc.get("members", [])
    # A message key is platform:brand:id (domain/threading.message_key); ids may hold ':'.
    brand = f"{doc['brand_account']}:"
    return {"total": len(members), "members": [
        {"platform": platform, "platform_message_id": rest.removeprefix(brand),
         "conversation_id": m["conversation_id"], "at": m["at"]}
        for m in members[offset:offset + limit]
        for platform, rest in [m["message_key"].split(":", 1)]]}


@router.post("/clusters/{cluster_id}/replies", status_code=202,
             response_model=BulkReplyAccepted,
             responses={**BODY_ERRORS, **NOT_FOUND, **error_responses(
                 422, 503, s422="Invalid input, an unknown saved reply or missing variables",
                 s503="Kafka refused some replies; send again with the same Idempotency-Key")})
async def reply_to_cluster(
    cluster_id: Annotated[str, Path(max_length=64)], body: ReplyRequest, agent: AnyUser,
    request: Request, store: StoreDep, settings: SettingsDep, publisher: PublisherDep,
    inbox: InboxDep,
    idempotency_key: Annotated[str | None, Header(max_length=64)] = None,
) -> dict[str, Any]:
    """One reply, sent personally to every customer of the cluster still waiting for it."""
    actor = actor_of(agent)
    doc = await _cluster(store, cluster_id, actor)
    chosen, left_out = await _plan(store, doc, actor)
    # Every customer's text first: a variable nothing fills fails the whole request (422)
    # before any reply is stored.
    texts = [await reply_text(store, body, c, agent) for c in chosen]
    # The same request again (a retry after a 503 or a lost answer) makes the same reply
    # ids, so no customer gets it twice.
    batch = idempotency_key or hashlib.sha256(body.model_dump_json().encode()).hexdigest()
    queue = ReplyQueue(store, settings, publisher, inbox, request.app.state.tracer)
    reply_ids, refused = [], 0
    for conversation, text in zip(chosen, texts, strict=True):
        reply_id = str(uuid.uuid5(uuid.NAMESPACE_URL,
                                  f"{conversation.id}:cluster:{cluster_id}:{batch}"))
        status, _ = await queue_reply(queue, actor, agent.id, conversation, body, text,
                                      reply_id, bulk=True)
        refused += status == 503
        reply_ids.append(reply_id)
    if refused:
        raise HTTPException(503, f"{refused} replies could not be queued; send again with "
                                 "the same Idempotency-Key", headers={"Retry-After": "5"})
    return {"queued": len(reply_ids), "left_out": dict(left_out), "reply_ids": reply_ids}

