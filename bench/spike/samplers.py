"""Sampled every second while a run lasts: topic end offsets, consumer lag, CPU and memory."""

import logging
import threading
import time
from dataclasses import dataclass, field

import psutil
from kafka import KafkaAdminClient, TopicPartition
from kafka.admin import OffsetSpec
from kafka.errors import KafkaError

from socialcare_runtime.metrics import lag_by_topic

log = logging.getLogger(__name__)


@dataclass
class Sample:
    """One second of a run: records per topic and processed per group so far (cumulative),
    lag per group, CPU % per process since the previous sample and its RSS in bytes."""

    t: float
    ends: dict[str, int]
    committed: dict[str, int]
    lag: dict[str, int]
    cpu: dict[str, float]
    rss: dict[str, int]


@dataclass
class Sampler:
    """Samples on a daemon thread from ``start()`` until ``stop()``.

    ``topics`` and ``groups`` map short names (the figures' labels) to Kafka names,
    ``inputs`` each group to the topic whose committed offsets count its processed records;
    ``pids`` maps process names to pids. Times are seconds after ``started`` (perf_counter).
    """

    bootstrap: str
    topics: dict[str, str]
    groups: dict[str, str]
    inputs: dict[str, str]
    pids: dict[str, int]
    started: float
    interval_s: float = 1.0
    samples: list[Sample] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="spike-sampler", daemon=True)
        self._processes = {}
        for name, pid in self.pids.items():
            try:
                self._processes[name] = psutil.Process(pid)
                self._processes[name].cpu_percent(None)  # the first call only starts counting
            except psutil.Error:
                log.warning("process %s (pid %d) is gone", name, pid)

    def start(self) -> "Sampler":
        self._thread.start()
        return self

    def stop(self) -> list[Sample]:
        self._stop.set()
        self._thread.join()
        return self.samples

    def _run(self) -> None:
        admin = KafkaAdminClient(bootstrap_servers=self.bootstrap, client_id="spike-sampler")
        try:
            partitions = self._partitions(admin)
            while not self._stop.is_set():
                tick = time.perf_counter()
                try:
                    self.samples.append(self._sample(admin, partitions))
                except KafkaError as exc:  # one missed second is a gap, not a failed run
                    log.warning("sample skipped: %s", type(exc).__name__)
                self._stop.wait(max(0.0, self.interval_s - (time.perf_counter() - tick)))
        finally:
            admin.close()

    def _partitions(self, admin: KafkaAdminClient) -> list[TopicPartition]:
        return [TopicPartition(topic["name"], p["partition_index"])
                for topic in admin.describe_topics(sorted(self.topics.values()))
                for p in topic.get("partitions") or ()]

    def _sample(self, admin: KafkaAdminClient, partitions: list[TopicPartition]) -> Sample:
        t = time.perf_counter() - self.started
        ends = {tp: o.offset for tp, o in admin.list_partition_offsets(
            {tp: OffsetSpec.LATEST for tp in partitions}).items()}
        short = {kafka: name for name, kafka in self.topics.items()}
        end_sums = {name: 0 for name in self.topics}
        for tp, offset in ends.items():
            end_sums[short[tp.topic]] += offset
        committed_sums, lags = {}, {}
        for name, group in self.groups.items():
            offsets = admin.list_group_offsets({group: None}).get(group, {})
            committed = {tp: om.offset for tp, om in offsets.items()
                         if om.offset >= 0 and tp.topic in short}
            consumed = {tp.topic for tp in committed}
            lags[name] = sum(lag_by_topic(
                {tp: end for tp, end in ends.items() if tp.topic in consumed}, committed).values())
            committed_sums[name] = sum(offset for tp, offset in committed.items()
                                       if tp.topic == self.topics[self.inputs[name]])
        cpu, rss = {}, {}
        for name, process in self._processes.items():
            try:
                with process.oneshot():
                    cpu[name] = process.cpu_percent(None)
                    rss[name] = process.memory_info().rss
            except psutil.Error:
                continue
        return Sample(t, end_sums, committed_sums, lags, cpu, rss)
