"""FastAPI dependencies of the inbox API: the store, the publisher, who is calling."""

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request

from socialcare_router.adapters.store import Store
from socialcare_router.domain.permissions import Actor, brands_of
from socialcare_router.inbox import Inbox
from socialcare_router.settings import InboxUser, RouterSettings
from socialcare_runtime.http import find_by_secret
from socialcare_runtime.http_errors import error_responses
from socialcare_runtime.publisher import EventPublisher

ALL_ROLES = ("agent", "supervisor", "admin")


def _store(request: Request) -> Store:
    return request.app.state.store


def _settings(request: Request) -> RouterSettings:
    return request.app.state.settings


def _publisher(request: Request) -> EventPublisher:
    return request.app.state.publisher


async def _user(request: Request, x_api_key: Annotated[str | None, Header()] = None
                ) -> InboxUser:
    found = find_by_secret(x_api_key, request.app.state.settings.inbox_users)
    if found is None:
        raise HTTPException(401, "missing or unknown X-API-Key",
                            headers={"WWW-Authenticate": "ApiKey"})
    if _active(request):
        await request.app.state.store.config.agent_seen(found.id, datetime.now(UTC))
    return found


def _active(request: Request) -> bool:
    """A person at work: acting, or opening a conversation. The page's own refreshes of
    lists and the live feed are not, so an open tab nobody looks at goes idle."""
    return request.method != "GET" or request.url.path.startswith("/v1/conversations/")


def require(*roles: str) -> Callable[[InboxUser], InboxUser]:
    """A dependency that lets only ``roles`` through (403 for the others)."""
    def check(user: Annotated[InboxUser, Depends(_user)]) -> InboxUser:
        if user.role not in roles:
            needed = " or ".join(roles)
            raise HTTPException(403, f"role {user.role} may not do this; needs {needed}")
        return user
    return check


def _inbox(request: Request) -> Inbox:
    return request.app.state.inbox


def actor_of(user: InboxUser) -> Actor:
    """Who is acting, as the permission rules see them."""
    return Actor(user.id, user.role, brands_of(user.brands))


def _actor(user: Annotated[InboxUser, Depends(require(*ALL_ROLES))]) -> Actor:
    return actor_of(user)


StoreDep = Annotated[Store, Depends(_store)]
InboxDep = Annotated[Inbox, Depends(_inbox)]
ActorDep = Annotated[Actor, Depends(_actor)]
SettingsDep = Annotated[RouterSettings, Depends(_settings)]
PublisherDep = Annotated[EventPublisher, Depends(_publisher)]
AnyUser = Annotated[InboxUser, Depends(require(*ALL_ROLES))]
Supervisor = Annotated[InboxUser, Depends(require("supervisor", "admin"))]


# Every route needs a key and checks its input; only routes for supervisors refuse a role.
AUTH_ERRORS = error_responses(401, 422, s401="Missing or unknown X-API-Key")
ROLE_ERRORS = error_responses(403, s403="Role not allowed")
BODY_ERRORS = error_responses(400, 413)
