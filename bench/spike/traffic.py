"""The traffic model: a baseline rate, a promotion spike of ``factor`` times it, then back."""

from dataclasses import dataclass

BASELINE, SPIKE, AFTER = "baseline", "spike", "after"


@dataclass(frozen=True)
class TrafficModel:
    """Offered rate over time: ``before_s`` at baseline, ``spike_s`` at the spike, ``after_s``."""

    baseline: float
    factor: float
    before_s: float
    spike_s: float
    after_s: float

    def __post_init__(self) -> None:
        if self.baseline <= 0 or self.factor < 1:
            raise ValueError("the baseline must be > 0 messages/s and the spike factor >= 1")
        if min(self.before_s, self.spike_s, self.after_s) < 0:
            raise ValueError("phase lengths cannot be negative")

    @property
    def spike_start(self) -> float:
        return self.before_s

    @property
    def spike_end(self) -> float:
        return self.before_s + self.spike_s

    @property
    def duration(self) -> float:
        return self.spike_end + self.after_s

    @property
    def spike_rate(self) -> float:
        return self.baseline * self.factor

    def phase_at(self, t: float) -> str:
        """The phase second ``t`` of the run belongs to."""
        if t < self.spike_start:
            return BASELINE
        return SPIKE if t < self.spike_end else AFTER

    def rate_at(self, t: float) -> float:
        """Offered messages per second at second ``t`` (0 outside the run)."""
        if not 0 <= t < self.duration:
            return 0.0
        return self.spike_rate if self.phase_at(t) == SPIKE else self.baseline

    def phases(self) -> list[tuple[str, float, float, float]]:
        """(name, start, end, rate) of each phase that lasts."""
        spans = [(BASELINE, 0.0, self.spike_start, self.baseline),
                 (SPIKE, self.spike_start, self.spike_end, self.spike_rate),
                 (AFTER, self.spike_end, self.duration, self.baseline)]
        return [span for span in spans if span[2] > span[1]]

    def send_offsets(self) -> list[float]:
        """When each message is due, in seconds from the start: evenly spaced per phase.

        Open loop: the schedule never waits for answers, as customers do not.
        """
        offsets: list[float] = []
        for _, start, end, rate in self.phases():
            count = round((end - start) * rate)
            offsets.extend(start + k / rate for k in range(count))
        return offsets

    def batches(self, tick_s: float) -> list[tuple[float, int]]:
        """The schedule grouped per tick: (send time, messages due in that tick).

        One request per tick keeps a 5,000/s spike within what one client process can send.
        """
        if tick_s <= 0:
            raise ValueError("tick must be > 0 s")
        counts: dict[int, int] = {}
        for offset in self.send_offsets():
            tick = int(offset / tick_s + 1e-9)
            counts[tick] = counts.get(tick, 0) + 1
        return [(tick * tick_s, count) for tick, count in sorted(counts.items())]

    def expected(self) -> int:
        """Messages offered in the whole run."""
        return sum(round((end - start) * rate) for _, start, end, rate in self.phases())
