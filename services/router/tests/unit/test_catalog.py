import asyncio
import re
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from socialcare_contracts.intents import DEFAULT_INTENTS
from socialcare_router import api_catalog
from socialcare_router.api_catalog import catalog
from socialcare_router.settings import InboxUser, RouterSettings

pytestmark = pytest.mark.unit
WEB = Path(__file__).resolve().parents[2] / "src" / "socialcare_router" / "web"


def test_the_catalog_offers_exactly_the_classifiers_intents() -> None:
    answer = asyncio.run(catalog(InboxUser(id="a", name="A B", role="agent")))
    assert answer.intents == list(DEFAULT_INTENTS)
    assert "shipping_delivery" in answer.intents and "shipping" not in answer.intents


def test_the_catalog_route_needs_a_key() -> None:
    app = FastAPI()
    app.state.settings = RouterSettings()
    app.include_router(api_catalog.router)
    client = TestClient(app)
    assert client.get("/v1/catalog").status_code == 401
    answer = client.get("/v1/catalog", headers={"X-API-Key": "dev-agent-key"})
    assert answer.status_code == 200 and answer.json() == {"intents": list(DEFAULT_INTENTS)}


def test_the_page_names_no_intent_of_its_own() -> None:
    """The filter's values come from the catalog and the listed conversations only."""
    page = (WEB / "index.html").read_text(encoding="utf-8")
    options = re.search(r'<datalist id="intent-list">(.*?)</datalist>', page, re.S)
    assert options is not None and options.group(1).strip() == ""
    assert '"/v1/catalog"' in (WEB / "js" / "app.js").read_text(encoding="utf-8")
