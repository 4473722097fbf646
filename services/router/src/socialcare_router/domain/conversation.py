"""The Conversation aggregate: every rule about one conversation, and nothing about I/O.

Every path that changes a conversation (a customer message, a brand reply, an agent's
action, a timer) calls a method here. The method checks the transition, moves the
deadlines, folds the message's facts into the conversation's, and records what changed
as domain events (``changes``) and who gained or lost the conversation
(``assignment_changes``). The repository stores the document and the events in one
atomic write; the agent-load invariant is kept where ``assignment_changes`` are applied.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

from socialcare_router.domain.sla import SlaPolicy, at_risk_at, resume_after_pause

# Meta's standard messaging window: a page may answer a DM within 24 h of the customer's
# latest message. X has no such window.
REPLY_WINDOWS = {"facebook": timedelta(hours=24), "instagram": timedelta(hours=24)}
SENTIMENT_RANK = {"negative": 0, "neutral": 1, "positive": 2}
HISTORY_KEPT = 100
# The deadlines a timer acts on: each is read back through keyed buckets (adapters/timers).
TIMERS = ("escalate_at", "resolution_escalate_at", "snoozed_until")


class State(StrEnum):
    NEW = "new"  # in a queue, nobody holds it, a response is due
    ASSIGNED = "assigned"  # an agent holds it, a response is due
    ANSWERED = "answered"  # the last word was ours; only the resolution clock runs
    WAITING_ON_CUSTOMER = "waiting_on_customer"  # snoozed until a time or the customer writes
    RESOLVED = "resolved"
    REOPENED = "reopened"  # resolved, then the customer (or an agent) opened it again


# The coarse status queue views are indexed on, and the one the event contract carries.
STATUS_OF = {State.NEW: "open", State.ASSIGNED: "open", State.ANSWERED: "open",
             State.REOPENED: "open", State.WAITING_ON_CUSTOMER: "waiting_on_customer",
             State.RESOLVED: "resolved"}
OPEN_STATES = frozenset(s for s, status in STATUS_OF.items() if status != "resolved")


class ConversationError(Exception):
    """A command that the conversation's state refuses (the API answers 409)."""


@dataclass(frozen=True)
class MessageFacts:
    """What one customer message tells about the conversation."""

    key: str
    platform_message_id: str
    created_at: datetime
    received_at: datetime
    channel: str
    language: str | None
    sentiment: str | None
    intents: tuple[str, ...]
    private_data: bool
    priority: int


@dataclass(frozen=True)
class AssignmentChange:
    """An agent gained (+1) or lost (-1) an open conversation: their load moves with it."""

    agent_id: str
    delta: int


class Conversation(BaseModel):
    """One conversation as stored: typed fields, transitions and deadlines."""

    model_config = ConfigDict(extra="ignore", validate_assignment=False)

    id: str = Field(alias="_id")
    version: int = 0
    state: State = State.NEW
    status: str = "open"
    platform: str
    brand_account: str
    customer_id: str
    customer: dict[str, Any] = {}
    channel: str
    queue: str
    previous_queue: str | None = None
    rule_id: str | None = None
    tags: list[str] = []
    assignee: str | None = None
    assigned_at: datetime | None = None
    last_assignee: str | None = None
    priority: int = 0
    language: str | None = None
    sentiment: str | None = None
    worst_sentiment: str | None = None
    intents: list[str] = []
    private_data: bool = False
    message_keys: list[str] = []
    created_at: datetime
    updated_at: datetime
    first_message_at: datetime
    last_message_at: datetime
    last_customer_message_at: datetime | None = None
    last_inbound_id: str | None = None
    last_inbound_trace: dict[str, str] = {}
    first_response_due_at: datetime
    first_response_at: datetime | None = None
    next_response_due_at: datetime | None = None
    last_response_at: datetime | None = None
    next_responses_met: int = 0
    next_responses_breached: int = 0
    response_keys: list[str] = []
    resolution_due_at: datetime
    resolved_at: datetime | None = None
    reopened_at: datetime | None = None
    due_at: datetime | None = None
    escalation: str = "none"
    escalate_at: datetime | None = None
    resolution_escalation: str = "none"
    resolution_escalate_at: datetime | None = None
    snoozed_until: datetime | None = None
    paused_at: datetime | None = None
    pause_while_waiting: bool = True
    reply_window_closes_at: datetime | None = None
    history: list[dict[str, Any]] = []
    outbox: list[dict[str, Any]] = []

    _changes: list[str] = PrivateAttr(default_factory=list)
    _assignment: list[AssignmentChange] = PrivateAttr(default_factory=list)
    _timers_stored: dict[str, datetime | None] = PrivateAttr(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _state_of_older_documents(cls, data: Any) -> Any:
        """Documents stored before the aggregate had only ``status``: read their state."""
        if isinstance(data, dict) and "state" not in data and "status" in data:
            status = data["status"]
            state = State.RESOLVED if status == "resolved" else \
                State.WAITING_ON_CUSTOMER if status == "waiting_on_customer" else \
                State.ANSWERED if data.get("first_response_at") else \
                State.ASSIGNED if data.get("assignee") else State.NEW
            data = {**data, "state": state}
        return data

    @model_validator(mode="after")
    def _as_loaded(self) -> "Conversation":
        if self.due_at is None:  # stored before the running deadline existed
            self._refresh_due()
        self.timers_stored()
        return self

    # --- reading ---------------------------------------------------------------------

    @property
    def changes(self) -> list[str]:
        """What happened since the conversation was loaded, oldest first."""
        return list(self._changes)

    @property
    def assignment_changes(self) -> list[AssignmentChange]:
        return list(self._assignment)

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def awaiting_response(self) -> bool:
        """A customer wrote last and nobody has answered yet."""
        return self.state in (State.NEW, State.ASSIGNED, State.REOPENED) and \
            self.response_deadline is not None

    @property
    def response_deadline(self) -> datetime | None:
        """The response deadline that runs now: the first, else the next one."""
        if self.first_response_at is None:
            return self.first_response_due_at
        return self.next_response_due_at

    def timers_moved(self) -> dict[str, datetime]:
        """The timers set or moved since the conversation was loaded or last stored.

        Only these need a new entry in the timer buckets; a cleared timer needs none (its
        old entry finds nothing due and is dropped).
        """
        return {name: value for name in TIMERS
                if (value := getattr(self, name)) is not None
                and value != self._timers_stored.get(name)}

    def timers_stored(self) -> None:
        """The timers as they are now are stored (the repository calls it after a write)."""
        self._timers_stored = {name: getattr(self, name) for name in TIMERS}

    def to_document(self) -> dict[str, Any]:
        return self.model_dump(by_alias=True)

    # --- customer and brand messages ---------------------------------------------

    @classmethod
    def start(cls, conversation_id: str, *, platform: str, brand_account: str,
              customer_id: str, customer: dict[str, Any], queue: str, rule_id: str | None,
              tags: list[str], message: MessageFacts, sla: SlaPolicy, share: float,
              now: datetime, trace: dict[str, str]) -> "Conversation":
        """A new conversation opened by ``message``."""
        due = sla.first_response_due(message.received_at, message.priority)
        conversation = cls(
            _id=conversation_id, platform=platform, brand_account=brand_account,
            customer_id=customer_id, customer=customer, channel=message.channel, queue=queue,
            rule_id=rule_id, tags=list(tags), created_at=now, updated_at=now,
            first_message_at=message.created_at, last_message_at=message.created_at,
            first_response_due_at=due,
            resolution_due_at=sla.resolution_due(message.received_at, message.priority),
            pause_while_waiting=sla.pause_while_waiting)
        conversation.escalate_at = at_risk_at(message.received_at, due, share)
        conversation.resolution_escalate_at = at_risk_at(
            message.received_at, conversation.resolution_due_at, share)
        conversation._fold(message, trace)
        conversation._refresh_due()
        conversation._changes.append("created")
        return conversation

    def add_customer_message(self, message: MessageFacts, sla: SlaPolicy, share: float,
                             now: datetime, trace: dict[str, str]) -> bool:
        """Folds in a customer message; False when it was already part of the conversation."""
        if message.key in self.message_keys:
            return False
        self._fold(message, trace)
        self.updated_at = now
        received = message.received_at
        if self.state is State.WAITING_ON_CUSTOMER:
            self._wake(now)
        if self.state is State.RESOLVED:
            self.state, self.resolved_at, self.reopened_at = State.REOPENED, None, now
            self.resolution_due_at = sla.resolution_due(received, self.priority)
            self.resolution_escalation = "none"
            self.resolution_escalate_at = at_risk_at(received, self.resolution_due_at, share)
            self._changes.append("reopened")
        if self.first_response_at is not None and self.next_response_due_at is None:
            # The customer wrote after our answer (whatever the state says, nothing was
            # due): a new response deadline starts.
            due = sla.first_response_due(received, message.priority)
            self.next_response_due_at = due
            self.escalation, self.escalate_at = "none", at_risk_at(received, due, share)
            if self.state is State.ANSWERED or self.state is State.REOPENED and self.assignee:
                self.state = State.ASSIGNED if self.assignee else State.NEW
        self._refresh_due()
        self._changes.append("message_added")
        return True

    def _fold(self, message: MessageFacts, trace: dict[str, str]) -> None:
        """The conversation's facts from all of its messages."""
        self.message_keys.append(message.key)
        # Messages may arrive out of order: the conversation began with its earliest.
        self.first_message_at = min(self.first_message_at, message.created_at)
        if message.created_at >= self.last_message_at:
            self.last_message_at = message.created_at
            self.last_inbound_id = message.platform_message_id
            self.last_inbound_trace = trace
            self.language = message.language or self.language
            self.sentiment = message.sentiment or self.sentiment
        elif self.last_inbound_id is None:
            self.last_inbound_id = message.platform_message_id
        self.last_customer_message_at = max(self.last_customer_message_at or message.created_at,
                                            message.created_at)
        if message.sentiment and (self.worst_sentiment is None or SENTIMENT_RANK.get(
                message.sentiment, 1) < SENTIMENT_RANK.get(self.worst_sentiment, 1)):
            self.worst_sentiment = message.sentiment
        self.intents += [i for i in message.intents if i not in self.intents]
        self.private_data = self.private_data or message.private_data
        self.priority = max(self.priority, message.priority)
        window = REPLY_WINDOWS.get(self.platform)
        if window is not None and message.channel == "direct_message":
            self.reply_window_closes_at = self.last_customer_message_at + window

    def record_response(self, key: str, sent_at: datetime, now: datetime) -> bool:
        """A reply reached the customer (ours, or one imported); False if already known."""
        if key in self.response_keys:
            return False
        self.response_keys.append(key)
        later_message = self.last_customer_message_at is not None and \
            self.last_customer_message_at > sent_at
        if self.first_response_at is None and later_message:
            # The customer wrote again before this answer (an import, or a ReplySent that
            # arrives late): they still wait, so the clock that ran keeps running.
            self.next_response_due_at = self.first_response_due_at
        if self.first_response_at is None or sent_at < self.first_response_at:
            self.first_response_at = sent_at
        self.last_response_at = max(self.last_response_at or sent_at, sent_at)
        self.updated_at = now
        if not later_message:  # the customer has not written since: the ball is theirs
            if self.next_response_due_at is not None and self.first_response_at != sent_at:
                # A next response: counted against its own deadline, for the reports.
                if sent_at <= self.next_response_due_at:
                    self.next_responses_met += 1
                else:
                    self.next_responses_breached += 1
            self.next_response_due_at = None
            self.escalation, self.escalate_at = "none", None
            if self.state in (State.NEW, State.ASSIGNED, State.REOPENED):
                self.state = State.ANSWERED
        self._refresh_due()
        self._changes.append("reply_sent")
        return True

    # --- agents' actions -----------------------------------------------------------

    def claim(self, agent_id: str, now: datetime) -> None:
        """An agent takes an unassigned open conversation."""
        self._require_open()
        if self.assignee is not None:
            raise ConversationError("already claimed by another agent")
        self._assign(agent_id, now, {"action": "claimed", "agent_id": agent_id})
        self._changes.append("claimed")

    def release(self, now: datetime) -> None:
        """The holder gives the conversation back to its queue."""
        if self.assignee is None:
            raise ConversationError("not assigned")
        self._history({"action": "released", "agent_id": self.assignee, "at": now})
        self._unassign(now)
        self._changes.append("released")

    def transfer(self, queue: str | None, agent_id: str | None, now: datetime) -> None:
        """Moves to another queue and/or agent."""
        self._require_open()
        previous = self.assignee
        if previous is not None:
            self._unassign(now)
        if queue is not None:
            self.queue = queue
        if agent_id is not None:
            self._assign(agent_id, now, {})
        self._history({"action": "transferred", "agent_id": agent_id, "from_agent": previous,
                       "queue": queue, "at": now})
        self._changes.append("transferred")

    def snooze(self, until: datetime, now: datetime) -> None:
        """Waits on the customer until ``until``; the clocks stop if the policy says so."""
        if self.state is State.WAITING_ON_CUSTOMER or not self.is_open:
            raise ConversationError("only open conversations can be snoozed")
        self.state, self.snoozed_until, self.updated_at = State.WAITING_ON_CUSTOMER, until, now
        self.status = STATUS_OF[self.state]
        if self.pause_while_waiting:
            self.paused_at = now
        self._changes.append("snoozed")

    def wake(self, now: datetime) -> None:
        """The snooze is over (its time came, or the customer wrote)."""
        if self.state is not State.WAITING_ON_CUSTOMER:
            raise ConversationError("not snoozed")
        self._wake(now)
        self._refresh_due()
        self._changes.append("woken")

    def _wake(self, now: datetime) -> None:
        if self.paused_at is not None:
            paused, self.paused_at = self.paused_at, None
            for name in ("first_response_due_at", "next_response_due_at", "escalate_at",
                         "resolution_due_at", "resolution_escalate_at"):
                value = getattr(self, name)
                if value is not None:
                    setattr(self, name, resume_after_pause(value, paused, now))
        self.snoozed_until = None
        if self.first_response_at is not None and self.next_response_due_at is None:
            self.state = State.ANSWERED
        else:
            self.state = State.ASSIGNED if self.assignee else State.NEW
        self.updated_at = now

    def resolve(self, now: datetime) -> None:
        """Closes the conversation; a new customer message reopens it."""
        if self.state is State.RESOLVED:
            raise ConversationError("already resolved")
        if self.assignee is not None:
            self._unassign(now)
        self.state, self.resolved_at, self.updated_at = State.RESOLVED, now, now
        self.snoozed_until = self.paused_at = None
        self.escalate_at = self.resolution_escalate_at = None
        self._refresh_due()
        self._changes.append("resolved")

    def reopen(self, now: datetime, sla: SlaPolicy, share: float) -> None:
        """An agent opens a resolved conversation again; it goes back to its queue."""
        if self.state is not State.RESOLVED:
            raise ConversationError("not resolved")
        self.state, self.resolved_at, self.reopened_at, self.updated_at = \
            State.REOPENED, None, now, now
        self.resolution_due_at = sla.resolution_due(now, self.priority)
        self.resolution_escalation = "none"
        self.resolution_escalate_at = at_risk_at(now, self.resolution_due_at, share)
        self._refresh_due()
        self._changes.append("reopened")

    def tag(self, add: list[str], remove: list[str], now: datetime) -> None:
        self.tags = [t for t in self.tags if t not in remove]
        self.tags += [t for t in add if t not in self.tags]
        self.updated_at = now
        self._changes.append("tagged")

    def touch(self, change: str, now: datetime) -> None:
        """Something about the conversation changed outside it (a reply failed)."""
        self.updated_at = now
        self._changes.append(change)

    # --- timers ---------------------------------------------------------------------

    def escalate(self, timer: str, now: datetime, boost: int, breach_queue: str) -> str:
        """One step on a deadline's escalation timer: at risk, then breached."""
        resolution = timer == "resolution_escalate_at"
        state_field = "resolution_escalation" if resolution else "escalation"
        due = self.resolution_due_at if resolution else self.response_deadline
        if getattr(self, timer) is None or due is None:
            raise ConversationError("no escalation due")
        if getattr(self, state_field) == "none":
            state, next_at = "at_risk", due
            self.priority = min(100, self.priority + boost)
        else:
            state, next_at = "breached", None
            if self.queue != breach_queue:  # a second breach keeps where it came from
                self.previous_queue, self.queue = self.queue, breach_queue
        setattr(self, state_field, state)
        setattr(self, timer, next_at)
        self.updated_at = now
        change = f"resolution_{state}" if resolution else state
        self._changes.append(change)
        return change

    # --- internals --------------------------------------------------------------------

    def _assign(self, agent_id: str, now: datetime, entry: dict[str, Any]) -> None:
        self.assignee, self.assigned_at, self.last_assignee = agent_id, now, agent_id
        self._assignment.append(AssignmentChange(agent_id, +1))
        # Assigned means a response is due: an agent's reopen (nothing unanswered) stays so.
        if self.state in (State.NEW, State.REOPENED) and self.response_deadline is not None:
            self.state = State.ASSIGNED
        if entry:
            self._history({**entry, "at": now})
        self.updated_at = now

    def _unassign(self, now: datetime) -> None:
        assert self.assignee is not None
        self._assignment.append(AssignmentChange(self.assignee, -1))
        self.assignee = None
        if self.state is State.ASSIGNED:
            self.state = State.NEW
        self.updated_at = now

    def _history(self, entry: dict[str, Any]) -> None:
        self.history = [*self.history, entry][-HISTORY_KEPT:]

    def _require_open(self) -> None:
        if not self.is_open:
            raise ConversationError("already resolved")

    def _refresh_due(self) -> None:
        """What queue views sort by: the response deadline if one runs, else resolution."""
        self.status = STATUS_OF[self.state]
        if self.state is State.RESOLVED:
            self.due_at = self.resolution_due_at
            return
        running = self.response_deadline
        self.due_at = running if running is not None else self.resolution_due_at
