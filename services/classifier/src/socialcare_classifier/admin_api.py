"""Admin HTTP API: activate or remove a brand's taxonomy on every running worker, no restart.

Each change is published to the compacted rules topic, which every worker reads in full.
A change is first read back and loaded exactly as a worker will (``load_rules``: decode,
validate, classify probe messages), so 202 means every worker can use it.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI, Header, HTTPException, Path, Request
from pydantic import BaseModel

from socialcare_classifier.adapters.rules_feed import UnusableRules, load_rules, rules_change
from socialcare_classifier.domain.taxonomy import BrandTaxonomy
from socialcare_classifier.domain.taxonomy_document import TaxonomyDocument
from socialcare_classifier.settings import ClassifierSettings
from socialcare_contracts import cloudevents, topics
from socialcare_contracts.events import ClassifierRulesChanged
from socialcare_contracts.limits import MAX_ID_LENGTH
from socialcare_runtime.api_docs import serve_api_docs
from socialcare_runtime.http import BodySizeLimit, find_by_secret
from socialcare_runtime.http_errors import allow_every_method, error_responses
from socialcare_runtime.kafka_admin import ensure_socialcare_topics
from socialcare_runtime.publisher import Backpressure, EventPublisher, Outgoing

# ASCII on purpose: a JSON Schema's \w is ASCII while Python's is Unicode, and a brand
# name that is also a path segment must not be "." or "..".
Brand = Annotated[str, Path(min_length=1, max_length=MAX_ID_LENGTH,
                            pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")]


class Activated(BaseModel):
    brand: str
    version: str


def create_api(settings: ClassifierSettings) -> FastAPI:
    """The admin app; connects its Kafka publisher at start-up and closes it at shutdown."""
    settings.refuse_dev_secrets(**{f"admin key of {who}": key
                                   for key, who in settings.classifier_admin_keys.items()})
    topic = settings.topic(topics.CLASSIFIER_RULES)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        ensure_socialcare_topics(settings)
        app.state.publisher = EventPublisher.connect(
            settings.kafka_bootstrap, "socialcare-classifier-admin", warm_topic=topic)
        try:
            yield
        finally:
            app.state.publisher.close()

    app = FastAPI(title="SocialCare classifier admin", lifespan=lifespan)
    serve_api_docs(app)
    allow_every_method(app)
    app.add_middleware(BodySizeLimit, max_bytes=settings.classifier_admin_max_body_bytes)

    def admin(x_admin_key: Annotated[str | None, Header()] = None) -> str:
        who = find_by_secret(x_admin_key, settings.classifier_admin_keys)
        if who is None:
            raise HTTPException(401, "missing or unknown X-Admin-Key")
        return who

    Admin = Annotated[str, Depends(admin)]

    async def publish(request: Request, brand: str, taxonomy: BrandTaxonomy | None,
                      who: str) -> Activated:
        change = rules_change(brand, taxonomy, f"api:{who}")
        # Read back and loaded as a worker will, so what is accepted every worker can use.
        value, headers = cloudevents.encode(change, source="socialcare-classifier-admin")
        try:
            load_rules(cloudevents.decode(value, headers, ClassifierRulesChanged).data)
        except (UnusableRules, cloudevents.InvalidEvent) as exc:
            raise HTTPException(422, str(exc)) from None
        try:
            await request.app.state.publisher.publish([Outgoing(topic, change.brand, change)])
        except Backpressure as exc:
            raise HTTPException(503, "Kafka is not accepting changes; retry later",
                                headers={"Retry-After": "5"}) from exc
        return Activated(brand=change.brand, version=change.version)

    @app.put("/v1/brands/{brand}/taxonomy", status_code=202, operation_id="put_taxonomy",
             responses={202: {"links": {"DeleteTaxonomy": {
                 "operationId": "delete_taxonomy",
                 "parameters": {"brand": "$request.path.brand"}}}},
                 **error_responses(400, 401, 413, 422, 503)})
    async def put_taxonomy(brand: Brand, body: TaxonomyDocument, request: Request,
                           who: Admin) -> Activated:
        """Activates a taxonomy (keywords and/or model, as `train --save` writes it)."""
        taxonomy = BrandTaxonomy.from_document(brand.lower(), body)
        return await publish(request, brand, taxonomy, who)

    @app.delete("/v1/brands/{brand}/taxonomy", status_code=202, operation_id="delete_taxonomy",
                responses=error_responses(401, 422, 503))
    async def delete_taxonomy(brand: Brand, request: Request, who: Admin) -> Activated:
        """Removes a brand's taxonomy: its messages get no categories from then on."""
        return await publish(request, brand, None, who)

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        """Liveness."""
        return {"status": "ok"}

    return app
