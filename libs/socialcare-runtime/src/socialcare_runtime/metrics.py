"""The metrics every service records, on the OpenTelemetry meter ``setup_telemetry`` installs.

Instrument names use dots; the Prometheus endpoint shows them with underscores
(``socialcare_messages_in_total``, ``socialcare_consumer_lag`` ...). Attribute values are
topics, stages, queues, platforms and codes only, never ids or customer data, so the
number of series stays bounded.
"""

import functools
import logging
import threading
from collections.abc import Iterable, Mapping

from kafka import KafkaAdminClient, TopicPartition
from kafka.admin import OffsetSpec
from kafka.errors import KafkaError
from opentelemetry import metrics
from opentelemetry.metrics import CallbackOptions, Observation

log = logging.getLogger(__name__)
# Latency buckets in seconds: a stream stage is tens of milliseconds, an SLA is hours.
STAGE_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
RESPONSE_BUCKETS = (60, 300, 900, 1800, 3600, 7200, 14400, 43200, 86400, 172800)


class SocialcareMetrics:
    """Instruments for messages, processing, dead letters, lag, SLAs, replies and queues."""

    def __init__(self, meter: metrics.Meter) -> None:
        self.messages_in = meter.create_counter(
            "socialcare.messages.in", unit="{record}", description="Records consumed")
        self.messages_out = meter.create_counter(
            "socialcare.messages.out", unit="{record}", description="Records published")
        self.processing = meter.create_histogram(
            "socialcare.processing.duration", unit="s", description="Time to handle one record",
            explicit_bucket_boundaries_advisory=STAGE_BUCKETS)
        self.dead_lettered = meter.create_counter(
            "socialcare.deadletter.records", unit="{record}",
            description="Records sent to the dead-letter topic")
        self.sla = meter.create_counter(
            "socialcare.sla.events", unit="{conversation}",
            description="Conversations whose first-response or resolution deadline is at risk or"
                        " breached")
        self.first_response = meter.create_histogram(
            "socialcare.first_response.duration", unit="s",
            description="Customer message to first agent reply",
            explicit_bucket_boundaries_advisory=RESPONSE_BUCKETS)
        self.gateway_errors = meter.create_counter(
            "socialcare.gateway.errors", unit="{call}", description="Failed gateway calls")
        self._lag: dict[tuple[str, str], int] = {}
        self._depth: dict[str, int] = {}
        self._lock = threading.Lock()
        meter.create_observable_gauge(
            "socialcare.consumer.lag", [self._observe_lag], unit="{record}",
            description="End offset minus committed offset, per consumer group and topic")
        meter.create_observable_gauge(
            "socialcare.queue.depth", [self._observe_depth], unit="{conversation}",
            description="Open conversations per queue")

    def consumed(self, topic: str, service: str) -> None:
        """Counts one record read from ``topic``."""
        self.messages_in.add(1, {"topic": topic, "service": service})

    def published(self, topic: str, service: str, count: int = 1) -> None:
        """Counts records published to ``topic``."""
        self.messages_out.add(count, {"topic": topic, "service": service})

    def sla_event(self, state: str, queue: str) -> None:
        """Counts a conversation entering ``at_risk`` or ``breached``."""
        self.sla.add(1, {"state": state, "queue": queue})

    def first_response_s(self, seconds: float, queue: str, platform: str) -> None:
        """Records the first response time of a conversation."""
        self.first_response.record(seconds, {"queue": queue, "platform": platform})

    def gateway_error(self, platform: str, code: str) -> None:
        """Counts a failed gateway call by its status code."""
        self.gateway_errors.add(1, {"platform": platform, "code": code})

    def set_queue_depth(self, depths: Mapping[str, int]) -> None:
        """Replaces the queue depths the gauge reports (from a periodic count)."""
        with self._lock:
            self._depth = dict(depths)

    def set_lag(self, group: str, lag_by_topic: Mapping[str, int]) -> None:
        """Replaces one group's lag per topic (from ``consumer_lag``)."""
        with self._lock:
            self._lag = {k: v for k, v in self._lag.items() if k[0] != group}
            self._lag.update({(group, topic): lag for topic, lag in lag_by_topic.items()})

    def _observe_lag(self, options: CallbackOptions) -> Iterable[Observation]:
        with self._lock:
            return [Observation(lag, {"group": group, "topic": topic})
                    for (group, topic), lag in self._lag.items()]

    def _observe_depth(self, options: CallbackOptions) -> Iterable[Observation]:
        with self._lock:
            return [Observation(n, {"queue": queue}) for queue, n in self._depth.items()]


@functools.cache
def service_metrics() -> SocialcareMetrics:
    """The process's instruments on the global meter (bound once ``setup_telemetry`` ran)."""
    return SocialcareMetrics(metrics.get_meter("socialcare"))


def lag_by_topic(end_offsets: Mapping[TopicPartition, int],
                 committed: Mapping[TopicPartition, int]) -> dict[str, int]:
    """Records not yet committed, summed per topic; a partition never committed counts whole."""
    lag: dict[str, int] = {}
    for tp, end in end_offsets.items():
        lag[tp.topic] = lag.get(tp.topic, 0) + max(0, end - committed.get(tp, 0))
    return lag


def consumer_lag(admin: KafkaAdminClient, group: str) -> dict[str, int]:
    """A consumer group's lag per topic it has committed on."""
    offsets = admin.list_group_offsets({group: None}).get(group, {})
    committed = {tp: om.offset for tp, om in offsets.items() if om.offset >= 0}
    if not committed:
        return {}
    # Every partition of the topic counts, including ones the group has not committed on.
    partitions = [TopicPartition(topic["name"], p["partition_index"])
                  for topic in admin.describe_topics(sorted({tp.topic for tp in committed}))
                  for p in topic.get("partitions") or ()]
    ends = admin.list_partition_offsets({tp: OffsetSpec.LATEST for tp in partitions})
    return lag_by_topic({tp: o.offset for tp, o in ends.items()}, committed)


class LagMonitor:
    """Polls consumer lag of some groups every ``interval_s`` on a daemon thread."""

    def __init__(self, bootstrap: str, groups: Iterable[str], instruments: SocialcareMetrics,
                 interval_s: float = 15.0) -> None:
        self._bootstrap = bootstrap
        self._groups = list(groups)
        self._instruments = instruments
        self._interval_s = interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="lag-monitor", daemon=True)

    def start(self) -> "LagMonitor":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()

    def poll_once(self, admin: KafkaAdminClient) -> None:
        """Measures every group once."""
        for group in self._groups:
            self._instruments.set_lag(group, consumer_lag(admin, group))

    def _run(self) -> None:
        admin = None
        while not self._stop.is_set():
            try:
                admin = admin or KafkaAdminClient(bootstrap_servers=self._bootstrap,
                                                  client_id="socialcare-lag-monitor")
                self.poll_once(admin)
            except KafkaError as exc:
                # Lag is advisory: a broker hiccup must not take the worker down.
                log.warning("consumer lag not measured: %s", type(exc).__name__)
            self._stop.wait(self._interval_s)
        if admin is not None:
            admin.close()
