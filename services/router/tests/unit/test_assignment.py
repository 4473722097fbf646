import pytest
from hypothesis import given
from hypothesis import strategies as st

from socialcare_router.domain.assignment import (
    AgentState,
    AssignmentPolicy,
    Presence,
    Skills,
    choose_agent,
)

pytestmark = pytest.mark.unit
ONLINE = Presence.ONLINE


def agent(agent_id: str, load: int = 0, capacity: int = 5, presence: Presence = ONLINE,
          **skills: frozenset[str]) -> AgentState:
    return AgentState(agent_id, presence, capacity, load, Skills(**skills))


def pick(policy: AssignmentPolicy, agents: list[AgentState], last: str | None = None,
         language: str = "en", intents: tuple[str, ...] = ("refund",)) -> str | None:
    return choose_agent(policy, agents, language, intents, "x", last)


def test_round_robin_cycles_through_able_agents_in_order() -> None:
    agents = [agent("c"), agent("a"), agent("b")]
    order, last = [], None
    for _ in range(4):
        last = pick(AssignmentPolicy.ROUND_ROBIN, agents, last)
        order.append(last)
    assert order == ["a", "b", "c", "a"]


def test_least_loaded_uses_load_relative_to_capacity() -> None:
    agents = [agent("full-timer", load=2, capacity=8), agent("part-timer", load=1, capacity=2)]
    assert pick(AssignmentPolicy.LEAST_LOADED, agents) == "full-timer"


def test_manual_queues_never_push_work() -> None:
    assert pick(AssignmentPolicy.MANUAL, [agent("a")]) is None


def test_offline_away_full_and_unskilled_agents_are_skipped() -> None:
    agents = [agent("off", presence=Presence.OFFLINE), agent("away", presence=Presence.AWAY),
              agent("full", load=5), agent("french", languages=frozenset({"fr"})),
              agent("fb", platforms=frozenset({"facebook"})),
              agent("billing", intents=frozenset({"billing"}))]
    assert pick(AssignmentPolicy.LEAST_LOADED, agents) is None
    assert pick(AssignmentPolicy.ROUND_ROBIN, agents + [agent("ok")]) == "ok"
    assert pick(AssignmentPolicy.ROUND_ROBIN, agents, language="fr") == "french"


@given(st.lists(st.tuples(st.integers(0, 10), st.integers(0, 10), st.sampled_from(Presence)),
                max_size=8),
       st.sampled_from([AssignmentPolicy.ROUND_ROBIN, AssignmentPolicy.LEAST_LOADED]))
def test_never_assigns_beyond_capacity_or_to_absent_agents(
        specs: list[tuple[int, int, Presence]], policy: AssignmentPolicy) -> None:
    agents = [agent(f"a{i}", load, cap, presence) for i, (load, cap, presence) in enumerate(specs)]
    chosen = pick(policy, agents)
    able = [a for a in agents if a.presence is ONLINE and a.load < a.capacity]
    assert (chosen is None) == (not able)
    if chosen is not None:
        assert chosen in {a.id for a in able}
