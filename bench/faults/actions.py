"""What each fault does to the running stack, and the poison records it plants."""

import os
import signal
import time
from dataclasses import dataclass

import grpc
from kafka import KafkaProducer

from bench.faults.servers import QUIET, restart_server
from socialcare_contracts import topics
from socialcare_contracts.gateway.v1 import sandbox_pb2, sandbox_pb2_grpc
from socialcare_local.isolated import IsolatedStack
from socialcare_local.paths import LocalPaths
from socialcare_local.processes import is_running, running_pid
from socialcare_local.services import GroupStable, instances, start_services, wait_ready

# Topics whose consumer must dead-letter a record it cannot decode, with the stage it names.
POISON_TARGETS = {topics.MESSAGES_RECEIVED: "classify", topics.MESSAGES_CLASSIFIED: "route",
                  topics.REPLIES_REQUESTED: "send"}
POISON_MARK = b"\xff{fault-poison:"


@dataclass(frozen=True)
class GatewayPhases:
    """How long each gateway fault lasts and how hard it hits."""

    failure_rate: float = 0.3
    failures_s: float = 6.0
    rate_limit_per_s: int = 3
    rate_limit_s: float = 6.0
    # Longer than the responder's give-up time, so some replies fail for good, with a reason.
    outage_s: float = 14.0


@dataclass
class FaultRunner:
    """Applies faults to one stack; every call blocks until the stack is whole again."""

    stack: IsolatedStack
    gateway: GatewayPhases
    poison_planted: list[bytes]

    def apply(self, kind: str) -> str:
        """Does one fault; returns what happened, for the report."""
        action, _, target = kind.partition(":")
        if action == "kill":
            return self.kill(target)
        if action == "restart":
            restart_server(target)
            return "stopped (SIGTERM), started, healthy"
        if kind == "gateway-failures":
            self._gateway_phase(sandbox_pb2.Faults(failure_rate=self.gateway.failure_rate),
                                self.gateway.failures_s)
            return f"{self.gateway.failure_rate:.0%} of calls UNAVAILABLE for " \
                   f"{self.gateway.failures_s:.0f} s"
        if kind == "gateway-rate-limit":
            self._gateway_phase(
                sandbox_pb2.Faults(rate_limit_per_second=self.gateway.rate_limit_per_s),
                self.gateway.rate_limit_s)
            return f"{self.gateway.rate_limit_per_s} calls/s for {self.gateway.rate_limit_s:.0f} s"
        if kind == "gateway-outage":
            self._gateway_phase(sandbox_pb2.Faults(failure_rate=1.0), self.gateway.outage_s)
            return f"every call UNAVAILABLE for {self.gateway.outage_s:.0f} s"
        if kind == "poison":
            return self.plant_poison()
        raise ValueError(f"unknown fault {kind}")

    def kill(self, name: str) -> str:
        service = next(s for s in instances() if s.name == name)
        paths = LocalPaths.from_env()
        pid = running_pid(paths, service.name, service.marker)
        if pid is None:
            raise RuntimeError(f"{name} is not running before its kill")
        group = service.readiness if isinstance(service.readiness, GroupStable) else None
        # Who was in the group, read while it is Stable (it may be rebalancing right now).
        before = self._stable_members(group) if group else set()
        os.kill(pid, signal.SIGKILL)
        while is_running(pid, service.marker):
            time.sleep(0.05)
        started = time.monotonic()
        start_services(self.stack.endpoints, (service,))
        wait_ready(self.stack.endpoints, (service,), timeout_s=120, console=QUIET)
        if group:
            # The dead member keeps the group "Stable" until its session times out: the
            # worker is back only once the group has rebalanced without it.
            deadline = time.monotonic() + 120
            while self._stable_members(group) & before:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{group.group} still lists the killed member")
                time.sleep(0.5)
        return f"pid {pid} SIGKILLed, ready again after {time.monotonic() - started:.1f} s"

    def _stable_members(self, group: GroupStable, timeout_s: float = 120) -> set[str]:
        deadline = time.monotonic() + timeout_s
        while not (members := group.stable_members(self.stack.endpoints)):
            if time.monotonic() > deadline:
                raise TimeoutError(f"{group.group} not Stable within {timeout_s:.0f} s")
            time.sleep(0.5)
        return members

    def set_gateway_faults(self, faults: sandbox_pb2.Faults) -> None:
        with grpc.insecure_channel(f"127.0.0.1:{self.stack.gateway_port}") as channel:
            sandbox_pb2_grpc.SandboxControlStub(channel).SetFaults(faults, timeout=5)

    def _gateway_phase(self, faults: sandbox_pb2.Faults, seconds: float) -> None:
        self.set_gateway_faults(faults)
        try:
            time.sleep(seconds)
        finally:
            self.set_gateway_faults(sandbox_pb2.Faults())

    def plant_poison(self) -> str:
        """One undecodable record on each stream worker's input topic."""
        producer = KafkaProducer(bootstrap_servers=self.stack.kafka_bootstrap, acks="all")
        try:
            for topic in POISON_TARGETS:
                value = POISON_MARK + f"{topic}:{len(self.poison_planted)}".encode()
                producer.send(self.stack.prefix + topic, key=b"poison", value=value,
                              headers=[("ce_type", topic.encode())]).get(timeout=30)
                self.poison_planted.append(value)
        finally:
            producer.close(timeout=10)
        return f"{len(POISON_TARGETS)} undecodable records: " + ", ".join(POISON_TARGETS.values())
