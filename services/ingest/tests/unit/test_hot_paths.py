import pytest
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.testclient import TestClient

from socialcare_ingest.hot_paths import HotPaths, post_endpoints

pytestmark = pytest.mark.unit


def app_with_hot_path() -> tuple[FastAPI, list[str]]:
    seen: list[str] = []
    router = APIRouter(prefix="/hooks")

    @router.post("/a")
    async def a(request: Request) -> JSONResponse:
        seen.append(f"a:{(await request.body()).decode()}:{request.app.title}")
        return JSONResponse({"ok": True}, status_code=202)

    @router.post("/b")
    async def b(request: Request) -> JSONResponse:
        seen.append("b")
        return JSONResponse({"ok": True})

    @router.get("/a")
    async def a_get() -> dict[str, str]:
        return {"get": "fastapi"}

    def routed(request: Request) -> None:  # runs only when FastAPI's routing serves it
        seen.append(f"routed:{request.url.path}")

    app = FastAPI(title="t")
    app.include_router(router, dependencies=[Depends(routed)])
    endpoints = post_endpoints(router, {"/hooks/a"})
    assert set(endpoints) == {"/hooks/a"}
    app.add_middleware(HotPaths, endpoints=endpoints)
    return app, seen


def test_hot_posts_are_answered_directly_and_everything_else_goes_to_fastapi() -> None:
    app, seen = app_with_hot_path()
    with TestClient(app) as client:
        hot = client.post("/hooks/a", content=b"hello")
        assert (hot.status_code, hot.json()) == (202, {"ok": True})
        assert client.get("/hooks/a").json() == {"get": "fastapi"}
        assert client.post("/hooks/b").status_code == 200
        assert client.post("/hooks/missing").status_code == 404
        assert "/hooks/a" in client.get("/openapi.json").json()["paths"]
    # The hot POST skipped FastAPI's routing; the GET on the same path and /b did not.
    assert seen == ["a:hello:t", "routed:/hooks/a", "routed:/hooks/b", "b"]
