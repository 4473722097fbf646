import pytest
from hypothesis import given
from hypothesis import strategies as st

from socialcare_router.domain.assignment import (
    AgentState,
    AssignmentPolicy,
    Presence,
    Skills,
    Waiting,
    choose_agent,
    plan_backlog,
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


def waiting(n: int, language: str = "en") -> list[Waiting]:
    return [Waiting(f"c{i}", language, ("refund",), "x") for i in range(n)]


def test_the_backlog_plan_fills_free_slots_in_order_of_urgency_and_no_more() -> None:
    agents = [agent("a", load=4), agent("b", load=3), agent("c", presence=Presence.AWAY)]
    plan = plan_backlog(AssignmentPolicy.LEAST_LOADED, agents, waiting(5), None)
    assert [cid for cid, _ in plan] == ["c0", "c1", "c2"]  # 1 + 2 free slots
    assert sorted(agent_id for _, agent_id in plan) == ["a", "b", "b"]


def test_the_backlog_plan_skips_work_nobody_free_is_skilled_for() -> None:
    german = agent("de", languages=frozenset({"de"}))
    plan = plan_backlog(AssignmentPolicy.ROUND_ROBIN, [german],
                        [*waiting(1), Waiting("g1", "de", (), "x")], None)
    assert plan == [("g1", "de")]


@given(loads=st.lists(st.integers(0, 5), min_size=1, max_size=5),
       count=st.integers(0, 30), robin=st.booleans())
def test_no_backlog_plan_takes_an_agent_past_capacity(loads: list[int], count: int,
                                                      robin: bool) -> None:
    agents = [agent(f"a{i}", load=load) for i, load in enumerate(loads)]
    policy = AssignmentPolicy.ROUND_ROBIN if robin else AssignmentPolicy.LEAST_LOADED
    plan = plan_backlog(policy, agents, waiting(count), None)
    given_to = [agent_id for _, agent_id in plan]
    assert len(plan) == min(count, sum(5 - load for load in loads))
    assert all(load + given_to.count(f"a{i}") <= 5 for i, load in enumerate(loads))
