"""Entrypoint: ``python -m socialcare_responder``."""

from socialcare_responder.adapters.gateways import GatewayClients, channel_credentials
from socialcare_responder.adapters.ledger import DeliveryLedger
from socialcare_responder.sending import ReplySender
from socialcare_responder.settings import ResponderSettings
from socialcare_responder.worker import SERVICE, build_app
from socialcare_runtime import mongo
from socialcare_runtime.instrumentation import instrument_grpc_client, instrument_pymongo
from socialcare_runtime.kafka_admin import ensure_socialcare_topics
from socialcare_runtime.logs import configure_logging
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
        settings.gateway_tls_key_file))
    client = mongo.connect(settings.mongo_url, SERVICE)
    sender = ReplySender(gateways, DeliveryLedger(client[settings.mongo_database]), settings)
    run_worker(build_app(settings, sender, telemetry.tracer), on_shutdown=telemetry.shutdown)


if __name__ == "__main__":
    main()
