"""/docs and /redoc are readable offline: every asset a page loads is served by the app."""

import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from socialcare_runtime.api_docs import serve_api_docs

pytestmark = pytest.mark.unit


def _app() -> FastAPI:
    app = FastAPI(title="Example")

    @app.get("/v1/things")
    async def things() -> list[str]:
        return []

    serve_api_docs(app)
    return app


def _references(html: str) -> list[str]:
    """Every URL a page loads: src and href attributes and the OpenAPI document's url."""
    found = re.findall(r"""(?:src|href|spec-url)=["']([^"']+)["']|url: ?'([^']+)'""", html)
    return [a or b for a, b in found]


@pytest.mark.parametrize(("page", "script", "expected"), [
    ("/docs", "swagger-ui-bundle.js", 4),  # stylesheet, favicon, script, OpenAPI document
    ("/redoc", "redoc.standalone.js", 3),  # favicon, OpenAPI document, script
])
def test_each_docs_page_loads_only_assets_the_app_serves(page: str, script: str,
                                                         expected: int) -> None:
    client = TestClient(_app())
    response = client.get(page)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    urls = _references(response.text)
    assert len(urls) == expected, urls
    for url in urls:
        assert url.startswith("/") and not url.startswith("//"), url
        served = client.get(url)
        assert served.status_code == 200 and served.content, url
    assert any(url.endswith(script) for url in urls)
    assert "fonts.googleapis" not in response.text


def test_the_swagger_script_is_version_5_which_reads_openapi_3_1() -> None:
    client = TestClient(_app())
    assert client.get("/openapi.json").json()["openapi"].startswith("3.1")
    script = client.get("/docs/assets/swagger-ui-bundle.js").text
    assert "SwaggerUIBundle" in script
    assert re.search(r'PACKAGE_VERSION:"5\.\d+\.\d+"', script)


def test_the_oauth_redirect_and_favicon_are_served_and_the_cdn_routes_are_gone() -> None:
    app = _app()
    client = TestClient(app)
    assert "cdn." not in client.get("/docs/oauth2-redirect").text
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.headers["content-type"] == "image/png"
    assert icon.content.startswith(b"\x89PNG")
    paths = [getattr(route, "path", None) for route in app.router.routes]
    assert paths.count("/docs") == 1 and paths.count("/redoc") == 1


def test_behind_a_prefix_the_pages_ask_for_their_assets_under_the_prefix() -> None:
    client = TestClient(_app(), root_path="/ingest")
    for page in ("/docs", "/redoc"):
        urls = _references(client.get(page).text)
        assert urls and all(url.startswith("/ingest/") for url in urls), urls
