"""API docs that work without internet: Swagger UI and ReDoc from the fastapi-offline package.

FastAPI's own /docs and /redoc pages load their scripts from a CDN, so on a machine
without internet (or behind a strict proxy) they are blank. fastapi-offline ships the
assets (Swagger UI 5, which reads FastAPI's OpenAPI 3.1; swagger-ui-bundle's Swagger UI 4
cannot) but only as a constructor, so this serves them on an app built elsewhere.
"""

from importlib.resources import files

from fastapi import FastAPI, Request
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS_DIR = files("fastapi_offline") / "static"


def serve_api_docs(app: FastAPI, docs: str = "/docs", redoc: str = "/redoc") -> None:
    """Swagger UI at ``docs``, ReDoc at ``redoc``, their assets and /favicon.ico, all local."""
    cdn_pages = {app.docs_url, app.swagger_ui_oauth2_redirect_url, app.redoc_url} - {None}
    app.router.routes[:] = [route for route in app.router.routes
                            if getattr(route, "path", None) not in cdn_pages]
    app.docs_url, app.redoc_url = docs, redoc
    assets, redirect = f"{docs}/assets", f"{docs}/oauth2-redirect"
    app.swagger_ui_oauth2_redirect_url = redirect
    app.mount(assets, StaticFiles(directory=str(ASSETS_DIR)), name="api-docs-assets")

    @app.get(docs, include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        # root_path: the page works behind a proxy that serves the app under a prefix.
        root = request.scope.get("root_path", "")
        return get_swagger_ui_html(
            openapi_url=f"{root}{app.openapi_url}", title=f"{app.title} - API docs",
            swagger_js_url=f"{root}{assets}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{assets}/swagger-ui.css",
            swagger_favicon_url=f"{root}{assets}/favicon.png",
            oauth2_redirect_url=f"{root}{redirect}",
            init_oauth=app.swagger_ui_init_oauth, swagger_ui_parameters=app.swagger_ui_parameters)

    @app.get(redirect, include_in_schema=False)
    async def swagger_ui_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    @app.get(redoc, include_in_schema=False)
    async def redoc_page(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return get_redoc_html(
            openapi_url=f"{root}{app.openapi_url}", title=f"{app.title} - API reference",
            redoc_js_url=f"{root}{assets}/redoc.standalone.js",
            redoc_favicon_url=f"{root}{assets}/favicon.png", with_google_fonts=False)

    @app.get("/favicon.ico", include_in_schema=False)
    async def favicon() -> FileResponse:
        return FileResponse(str(ASSETS_DIR / "favicon.png"), media_type="image/png")
