"""Routes the web inbox needs besides the work API: who am I, reply previews, queue overview.

The preview measures a reply the way its platform counts it and shows the signature the
responder will append, with the same shared code (``socialcare_text.platform_text`` and
``brand_voice``), so an agent sees what will be posted before sending it.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field

from socialcare_contracts.events import ReplyKind
from socialcare_router.api_conversations import (
    saved_reply_template,
    template_values,
)
from socialcare_router.deps import (
    AUTH_ERRORS,
    BODY_ERRORS,
    AnyUser,
    InboxDep,
    SettingsDep,
    StoreDep,
    actor_of,
)
from socialcare_router.views import ReplyRequest
from socialcare_runtime.http_errors import error_responses
from socialcare_text.brand_voice import CompositionError, compose
from socialcare_text.platform_text import limits_of, split_thread, weighted_length
from socialcare_text.templates import MissingVariables, render

router = APIRouter(prefix="/v1", tags=["inbox"], responses=AUTH_ERRORS)


class Me(BaseModel):
    id: str
    name: str
    role: str
    presence: str | None = None
    load: int | None = None
    capacity: int | None = None


class ReplyPreview(BaseModel):
    text: str = Field(description="As it will be posted: variables filled in, signature added")
    kind: str
    length: int = Field(description="Counted the way the platform counts")
    limit: int
    counting: str = Field(description="weighted (X: URLs 23, CJK and emoji 2) or codepoints")
    parts: list[str] = Field(description="The thread it becomes when longer than the limit")
    too_long: bool = Field(description="It cannot be sent as it is (DM, or no threads)")
    missing_variables: list[str] = []
    private_data: bool = Field(description="Personal data seen: suggest a direct message")
    problem: str | None = None


class QueueCounts(BaseModel):
    queue: str
    open: int
    unassigned: int
    at_risk: int
    breached: int


@router.get("/me", response_model=Me)
async def me(user: AnyUser, store: StoreDep) -> Me:
    """The caller: name and role (what the page may offer), presence and load."""
    profile = await store.config.get("agents", user.id) or {}
    return Me(id=user.id, name=user.name, role=user.role, presence=profile.get("presence"),
              load=profile.get("load"), capacity=profile.get("capacity"))


@router.post("/conversations/{conversation_id}/replies/preview", response_model=ReplyPreview,
             responses={**BODY_ERRORS, **error_responses(
                 403, 404, 422, s403="Not a brand of the caller's", s404="No such conversation",
                 s422="Invalid input, or an unknown saved reply")})
async def preview_reply(conversation_id: Annotated[str, Path(max_length=64)],
                        body: ReplyRequest, agent: AnyUser, store: StoreDep,
                        settings: SettingsDep, inbox: InboxDep) -> ReplyPreview:
    """The reply as it would be posted, its length as the platform counts it, and warnings."""
    doc = await inbox.load(actor_of(agent), conversation_id)
    missing: list[str] = []
    template = body.text if body.text is not None \
        else await saved_reply_template(store, body.saved_reply or "")
    values = template_values(doc, agent, body.variables)
    try:
        text = render(template, values)
    except MissingVariables as exc:
        missing = exc.names
        # Show the placeholders still to fill rather than refusing the preview.
        text = render(template, {**values, **{n: f"{{{n}}}" for n in missing}})
    policy = settings.brand_policy(doc.brand_account)
    problem = None
    try:
        posted = compose(text, policy, agent.id, settings.agent_initials.get(agent.id))
    except CompositionError as exc:
        posted, problem = text, str(exc)
    limits = limits_of(doc.platform)
    direct = body.kind is ReplyKind.DIRECT
    limit = limits.direct_message if direct else limits.reply
    length = weighted_length(posted, limits.counting)
    too_long = length > limit and (direct or not policy.allow_threads)
    parts = split_thread(posted, limit, limits.counting) \
        if length > limit and not too_long else [posted]
    return ReplyPreview(text=posted, kind=body.kind.value, length=length, limit=limit,
                        counting=limits.counting, parts=parts, too_long=too_long,
                        missing_variables=missing, problem=problem,
                        private_data=doc.private_data)


@router.get("/queue-overview", response_model=list[QueueCounts])
async def queue_overview(_: AnyUser, store: StoreDep, settings: SettingsDep
                         ) -> list[dict[str, Any]]:
    """Every queue an agent may pull from, with its depth and at-risk and breached counts."""
    names = [q["_id"] for q in await store.config.list_all("queues")]
    return await store.work.queue_overview(
        [settings.default_queue, settings.escalation_queue, *names])
