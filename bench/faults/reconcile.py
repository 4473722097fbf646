"""What must hold after the faults, judged from what the topics, database and gateway hold.

Pure: ``Observed`` is filled by ``collect``; ``reconcile`` turns it into counted checks,
each with a few examples when it fails, so a report and a test read the same verdict.
"""

from collections import Counter
from dataclasses import dataclass, field


@dataclass(frozen=True)
class StoredReply:
    status: str
    failure_code: str | None
    reason: str | None


@dataclass(frozen=True)
class DeadLetter:
    stage: str
    reason: str
    value: bytes


@dataclass
class Observed:
    accepted: set[str]  # message keys ingest answered 202 for
    received_keys: Counter[str]  # message key -> records on messages.received
    stored: dict[str, str]  # inbound message key -> its conversation id (messages collection)
    conversations: dict[str, tuple[str, list[str]]]  # id -> (customer key, message keys)
    requested: set[str]  # reply ids the inbox API answered 202 for (the agent's record)
    replies: dict[str, StoredReply]  # replies collection
    gateway: dict[str, int]  # idempotency key -> calls that carried it (sandbox records)
    outcome_events: dict[str, set[str]]  # reply id -> {"sent", "failed"} seen on the topics
    dead_letters: list[DeadLetter]
    poison: list[bytes]  # records planted to be dead-lettered


@dataclass(frozen=True)
class Check:
    name: str
    count: int
    expected: str  # "0", "= n", "info"
    ok: bool
    examples: tuple[str, ...] = ()


@dataclass
class Reconciliation:
    checks: list[Check] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)

    @property
    def failures(self) -> list[Check]:
        return [c for c in self.checks if not c.ok]

    def info(self, name: str, count: int) -> None:
        self.checks.append(Check(name, count, "info", True))

    def none(self, name: str, found: list[str] | set[str]) -> None:
        """A check that passes when nothing is found."""
        self.checks.append(Check(name, len(found), "0", not found, tuple(sorted(found)[:5])))

    def equal(self, name: str, count: int, expected: int, examples: list[str]) -> None:
        self.checks.append(Check(name, count, f"= {expected:,}", count == expected,
                                 tuple(examples[:5])))


def reconcile(seen: Observed) -> Reconciliation:
    out = Reconciliation()
    _messages(seen, out)
    _replies(seen, out)
    _dead_letters(seen, out)
    return out


def _messages(seen: Observed, out: Reconciliation) -> None:
    out.info("messages accepted (ingest 202)", len(seen.accepted))
    out.info("records on messages.received (redeliveries included)",
             sum(seen.received_keys.values()))
    out.none("accepted but never published", seen.accepted - set(seen.received_keys))
    out.info("messages stored", len(seen.stored))
    out.none("accepted but not stored (lost)", seen.accepted - set(seen.stored))
    holders: dict[str, list[str]] = {}
    for conversation_id, (_, keys) in seen.conversations.items():
        for key in keys:
            holders.setdefault(key, []).append(conversation_id)
    out.none("messages in more than one conversation",
             [k for k, ids in holders.items() if len(ids) > 1])
    out.none("messages whose conversation does not list them",
             [k for k, c in seen.stored.items() if c not in holders.get(k, [])])
    per_customer = Counter(customer for customer, _ in seen.conversations.values())
    out.info("conversations", len(seen.conversations))
    # Every message of a customer arrives within the threading window: one conversation each.
    out.none("customers with a duplicated conversation",
             [c for c, n in per_customer.items() if n > 1])


def _replies(seen: Observed, out: Reconciliation) -> None:
    out.info("replies requested (inbox 202)", len(seen.requested))
    sent = {r for r in seen.requested if _status(seen, r) == "sent"}
    failed = {r for r in seen.requested if _status(seen, r) == "failed"}
    out.info("replies sent", len(sent))
    out.none("sent replies without exactly one gateway record",
             [r for r in sent if seen.gateway.get(r, 0) < 1])
    out.info("gateway calls deduplicated by idempotency key (retries absorbed)",
             sum(n - 1 for n in seen.gateway.values() if n > 1))
    out.none("gateway records no requested reply explains (double sends)",
             set(seen.gateway) - seen.requested)
    out.info("replies failed", len(failed))
    out.none("failed replies without a code and reason",
             [r for r in failed if not (seen.replies[r].failure_code and seen.replies[r].reason)])
    out.none("failed replies the gateway did send",
             [r for r in failed if seen.gateway.get(r, 0) > 0])
    out.none("requested replies neither sent nor failed",
             [f"{r} ({_stored(seen, r)}, events {sorted(seen.outcome_events.get(r, ()))})"
              for r in seen.requested - sent - failed])
    out.none("replies whose outcome events disagree with the database",
             [r for r in sent | failed if _status(seen, r) not in seen.outcome_events.get(r, ())])


def _stored(seen: Observed, reply_id: str) -> str:
    return f"stored as {_status(seen, reply_id)}" if reply_id in seen.replies else "not stored"


def _status(seen: Observed, reply_id: str) -> str | None:
    stored = seen.replies.get(reply_id)
    return stored.status if stored else None


def _dead_letters(seen: Observed, out: Reconciliation) -> None:
    poison = set(seen.poison)
    out.info("dead-letter records (redeliveries included)", len(seen.dead_letters))
    out.none("dead letters that were not planted poison",
             [f"{d.stage}: {d.reason[:120]}" for d in seen.dead_letters if d.value not in poison])
    found = {d.value for d in seen.dead_letters}
    out.equal("planted poison records dead-lettered", len(poison & found), len(poison),
              [p.decode(errors="replace") for p in sorted(poison - found)])
