import pytest

from socialcare_router.domain.rules import MessageFacts, RoutingRule, RuleConditions, RuleSet

pytestmark = pytest.mark.unit


def facts(**overrides: object) -> MessageFacts:
    base: dict = dict(platform="x", channel="mention", brand_account="acme", language="en",
                      sentiment="negative", priority=40, intents=("order_status",),
                      listening_matches=(), followers=120, verified=False)
    return MessageFacts(**{**base, **overrides})


def rule(rule_id: str, queue: str, **when: object) -> RoutingRule:
    return RoutingRule(id=rule_id, queue=queue, when=RuleConditions(**when))


def test_first_matching_rule_wins_and_is_recorded() -> None:
    rules = RuleSet(3, (rule("es", "spanish", languages={"es"}),
                        rule("orders", "orders", intents_any={"order_status", "shipping"}),
                        rule("all-x", "x-queue", platforms={"x"})))
    decision = rules.route(facts(), "general")
    assert (decision.queue, decision.rule_id) == ("orders", "orders")
    assert rules.route(facts(language="es"), "general").queue == "spanish"
    assert rules.route(facts(intents=()), "general").queue == "x-queue"


def test_no_match_goes_to_the_default_queue_with_its_own_priority() -> None:
    rules = RuleSet(1, (rule("fb", "facebook", platforms={"facebook"}),))
    decision = rules.route(facts(priority=33), "general")
    assert (decision.queue, decision.priority, decision.rule_id) == ("general", 33, None)


@pytest.mark.parametrize(("when", "matching", "not_matching"), [
    ({"channels": {"direct_message"}}, {"channel": "direct_message"}, {"channel": "mention"}),
    ({"sentiments": {"negative"}}, {"sentiment": "negative"}, {"sentiment": "positive"}),
    ({"brand_accounts": {"acme_help"}}, {"brand_account": "acme_help"}, {}),
    ({"min_priority": 70}, {"priority": 70}, {"priority": 69}),
    ({"min_followers": 10_000}, {"followers": 10_000}, {"followers": 9_999}),
    ({"verified_only": True}, {"verified": True}, {"verified": False}),
    ({"listening_any": {"outage"}}, {"listening_matches": ("outage",)}, {}),
])
def test_each_condition_decides(when: dict, matching: dict, not_matching: dict) -> None:
    rules = RuleSet(1, (rule("r", "special", **when),))
    assert rules.route(facts(**matching), "general").queue == "special"
    assert rules.route(facts(**not_matching), "general").queue == "general"


def test_tags_and_priority_boost_apply_and_priority_is_capped() -> None:
    rules = RuleSet(1, (RoutingRule(id="vip", queue="vip", tags=("vip",), priority_boost=30,
                                    when=RuleConditions(verified_only=True)),))
    decision = rules.route(facts(verified=True, priority=90), "general")
    assert decision.tags == ("vip",) and decision.priority == 100
    assert rules.route(facts(verified=True, priority=10), "general").priority == 40


def test_rule_ids_and_queues_are_validated() -> None:
    with pytest.raises(ValueError):
        RoutingRule(id="has space", queue="q")
    with pytest.raises(ValueError):
        RoutingRule(id="r", queue="q", when={"unknown": 1})
