"""Entrypoint: ``python -m socialcare_router worker`` or ``python -m socialcare_router api``."""

import argparse
import asyncio

import uvicorn

from socialcare_contracts import topics
from socialcare_router.adapters.store import Store
from socialcare_router.api import create_app
from socialcare_router.distribution import Distributor
from socialcare_router.domain.sla import BusinessHours, SlaPolicy
from socialcare_router.escalation import Escalator
from socialcare_router.migration import migrate_conversations
from socialcare_router.refinements import Refinements
from socialcare_router.routing import Router
from socialcare_router.routing_config import RoutingConfig
from socialcare_router.settings import RouterSettings
from socialcare_router.surges import SurgeDetector
from socialcare_router.worker import SERVICE, build_app
from socialcare_runtime.instrumentation import instrument_fastapi, instrument_pymongo
from socialcare_runtime.kafka_admin import ensure_socialcare_topics
from socialcare_runtime.logs import configure_logging
from socialcare_runtime.mongo import connect
from socialcare_runtime.publisher import EventPublisher
from socialcare_runtime.streams import run_worker
from socialcare_runtime.telemetry import setup_telemetry


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m socialcare_router")
    parser.add_argument("role", choices=["worker", "api", "migrate"])
    role = parser.parse_args().role
    settings = RouterSettings()
    configure_logging(f"router-{role}", settings.log_level)
    telemetry = setup_telemetry(f"{SERVICE}-{role}")
    instrument_pymongo()
    ensure_socialcare_topics(settings)
    client = connect(settings.mongo_url, f"{SERVICE}-{role}")
    store = Store(client, settings.mongo_database)
    if role == "migrate":
        asyncio.run(migrate_conversations(store))
        return
    if role == "worker":
        config = RoutingConfig(store.config, settings.routing_refresh_s)
        router = Router(store, SlaPolicy(BusinessHours(timezone=settings.sla_timezone)),
                        settings.default_queue, settings.thread_window, config=config,
                        escalation_share=settings.escalation_share)
        escalator = Escalator(store, config, settings.escalation_queue,
                              settings.escalation_priority_boost, router.clock)

        async def queue_depths() -> dict[str, int]:
            queues = (await config.current()).queues
            known = {settings.default_queue, settings.escalation_queue, *queues,
                     *(q.escalation_queue for q in queues.values() if q.escalation_queue)}
            return await store.work.queue_depths(known)

        distributor = Distributor(store, config, router.clock, settings.agent_idle_away)
        surges = SurgeDetector(store.volume, store.incidents, settings.surge_policy,
                               router.clock, store.config.bump_version)
        app = build_app(settings, router, telemetry.tracer, escalator, distributor,
                        queue_depths, surges, store.clusters, Refinements(router))

        @app.task
        async def create_indexes() -> None:
            await store.create_indexes()

        run_worker(app, on_shutdown=telemetry.shutdown)
        return

    def publisher() -> EventPublisher:
        return EventPublisher.connect(settings.kafka_bootstrap, f"{SERVICE}-api",
                                      warm_topic=settings.topic(topics.REPLIES_REQUESTED))

    api = create_app(settings, store, publisher, telemetry.tracer)
    instrument_fastapi(api)
    uvicorn.run(api, host=settings.host, port=settings.inbox_port, log_config=None,
                access_log=False)
    telemetry.shutdown()


if __name__ == "__main__":
    main()
