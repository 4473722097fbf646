"""The spike's messages: real customer text when the TWCS sample is there, else the demo set.

Messages spread over platforms and languages, and a share are follow-ups of an earlier
customer (same author, replying to their previous message), so the router threads them
into an existing conversation as it does with real traffic. In the spike, a share can be
the burst instead: one question in varied wordings, each from a new customer.
"""

import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from bench.spike.burst import WORDINGS, burst_id
from socialcare_local.paths import REPO_ROOT, SAMPLE_FILE
from socialcare_local.replay import read_jsonl, read_twcs

TWCS_SAMPLE = REPO_ROOT.parent / "shared" / "data" / "twcs-sample.csv"
BRAND = "acmeshop"
# Real traffic comes mostly from X; the demo set adds Facebook and Instagram in other languages.
TWCS_PLATFORMS = (("x", "mention"), ("x", "mention"), ("x", "mention"),
                  ("facebook", "comment"), ("instagram", "comment"))
FOLLOW_UP_CHANNEL = {"x": "reply", "facebook": "comment", "instagram": "comment",
                     "api": "direct_message"}


@dataclass(frozen=True)
class Template:
    platform: str
    channel: str
    text: str
    language_hint: str | None = None


def load_templates(twcs: Path | None = TWCS_SAMPLE, demo: Path = SAMPLE_FILE,
                   limit: int = 5000) -> tuple[list[Template], str]:
    """Message templates and where their text came from."""
    demo_set = [Template(m.platform.value, m.channel.value, m.text, m.language_hint)
                for m in read_jsonl(demo)]
    if twcs is None or not twcs.exists():
        return demo_set, f"the demo set {demo.name} ({len(demo_set)} messages, cycled)"
    real = [Template(platform, channel, m.text)
            for m, (platform, channel) in zip(itertools.islice(read_twcs(twcs), limit),
                                              itertools.cycle(TWCS_PLATFORMS))]
    # About one message in five from the demo set: other languages and channels.
    return real + demo_set * max(1, len(real) // (4 * len(demo_set))), (
        f"{len(real)} customer tweets from {twcs.name} and the demo set {demo.name}")


@dataclass
class MessageSource:
    """Message ``i`` of run ``run``: new customers, and ``follow_up_share`` follow-ups."""

    run: str
    templates: list[Template]
    follow_up_share: float = 0.25
    seed: int = 7
    _random: random.Random = field(init=False)
    _recent: list[tuple[str, str, str, str]] = field(init=False, default_factory=list)
    _count: Iterator[int] = field(init=False, default_factory=itertools.count)
    burst_started: str | None = field(init=False, default=None)  # first burst created_at
    burst_sent: int = field(init=False, default=0)

    def __post_init__(self) -> None:
        self._random = random.Random(self.seed)

    def message(self, created_at: str, burst_share: float = 0.0) -> dict:
        """The next message as the ingest API takes it (``created_at`` in ISO 8601); with
        ``burst_share``, that share of messages are the burst's."""
        i = next(self._count)
        if burst_share and self._random.random() < burst_share:
            return self._burst(i, created_at)
        template = self._random.choice(self.templates)
        message_id = f"{self.run}-{i}"
        body: dict = {"brand_account": BRAND, "platform_message_id": message_id,
                      "text": template.text, "created_at": created_at}
        if template.language_hint:
            body["language_hint"] = template.language_hint
        if self._recent and self._random.random() < self.follow_up_share:
            slot = self._random.randrange(len(self._recent))
            platform, channel, author, previous = self._recent[slot]
            body.update(platform=platform, author={"id": author}, in_reply_to_id=previous,
                        channel=channel if channel == "direct_message"
                        else FOLLOW_UP_CHANNEL[platform])
            self._recent[slot] = (platform, channel, author, message_id)
        else:
            author = f"{self.run}-c{i}"
            body.update(platform=template.platform, channel=template.channel,
                        author={"id": author})
            self._remember((template.platform, template.channel, author, message_id))
        return body

    def _burst(self, i: int, created_at: str) -> dict:
        # Each from a customer of its own who writes once: never a follow-up's author.
        self.burst_started = self.burst_started or created_at
        self.burst_sent += 1
        platform, channel = self._random.choice(TWCS_PLATFORMS)
        author = f"{self.run}-burst-c{i}"
        return {"brand_account": BRAND, "platform_message_id": burst_id(self.run, i),
                "platform": platform, "channel": channel,
                "author": {"id": author, "display_name": f"Customer {i}"},
                "text": f"@{BRAND} {self._random.choice(WORDINGS)}", "created_at": created_at}

    def _remember(self, customer: tuple[str, str, str, str]) -> None:
        # Follow-ups come from recent customers, as within the router's thread window.
        if len(self._recent) < 2000:
            self._recent.append(customer)
        else:
            self._recent[self._random.randrange(2000)] = customer
