"""Entrypoint: ``python -m socialcare_responder``."""

from opentelemetry import metrics
from pymongo.errors import PyMongoError
from tenacity import AsyncRetrying

from socialcare_responder.adapters.budget import BudgetStore
from socialcare_responder.adapters.gateways import GatewayClients, channel_credentials
from socialcare_responder.adapters.ledger import DeliveryLedger
from socialcare_responder.metrics import ResponderMetrics
from socialcare_responder.pacing import SendBudget
from socialcare_responder.sending import ReplySender
from socialcare_responder.settings import ResponderSettings
from socialcare_responder.worker import SERVICE, build_app
from socialcare_runtime import mongo
from socialcare_runtime.instrumentation import instrument_grpc_client, instrument_pymongo
from socialcare_runtime.kafka_admin import ensure_socialcare_topics
from socialcare_runtime.logs import configure_logging
from socialcare_runtime.retries import retry_policy
from socialcare_runtime.streams import run_worker
from socialcare_runtime.telemetry import setup_telemetry


def main() -> None:
    settings = ResponderSettings()
    configure_logging("responder", settings.log_level)
    telemetry = setup_telemetry(SERVICE)
    instrument_grpc_client()
    instrument_pymongo()
    ensure_socialcare_topics(settings)
    gateways = GatewayClients(settings.gateways, settings.gateway_timeout_s, channel_credentials(
        settings.gateway_tls_ca_file, settings.gateway_tls_cert_file,
        settings.gateway_tls_key_file), settings.capabilities_refresh_s)
    client = mongo.connect(settings.mongo_url, SERVICE)
    db = client[settings.mongo_database]
    store = BudgetStore(db)
    budget = SendBudget(store, ResponderMetrics(metrics.get_meter(SERVICE)),
                        settings.send_budget_margin, settings.send_budget_poll_s,
                        settings.send_budget_bulk_reserve)
    sender = ReplySender(gateways, DeliveryLedger(db), settings, budget=budget)
    app = build_app(settings, sender, telemetry.tracer)

    @app.task
    async def create_indexes() -> None:
        # A MongoDB server slow to answer at start must not stop the worker: the TTL index
        # only tidies old budget windows, so it is retried until it is made.
        await AsyncRetrying(**retry_policy("creating the send budget's index", PyMongoError,
                                           initial_s=0.5, max_s=30))(store.ensure_indexes)

    run_worker(app, on_shutdown=telemetry.shutdown)


if __name__ == "__main__":
    main()
