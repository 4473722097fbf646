import pytest

from socialcare_responder.domain.planning import Limits, Plan, Refusal, plan_delivery
from socialcare_text.brand_voice import BrandPolicy
from socialcare_text.platform_text import weighted_length

pytestmark = pytest.mark.unit
X = Limits("x", 280, 10_000, True, "weighted")
NO_DM = Limits("forum", 500, 0, False)


def test_fitting_public_reply_is_one_part() -> None:
    assert plan_delivery("hi", False, True, False, BrandPolicy(), X) == Plan(False, ("hi",))


def test_long_public_reply_becomes_a_thread_when_allowed() -> None:
    plan = plan_delivery("word " * 100, False, True, False, BrandPolicy(), X)
    assert isinstance(plan, Plan) and len(plan.parts) == 2
    assert all(weighted_length(p) <= 280 for p in plan.parts)


def test_long_reply_is_refused_when_threads_are_off() -> None:
    refusal = plan_delivery("word " * 100, False, True, False,
                            BrandPolicy(allow_threads=False), X)
    assert isinstance(refusal, Refusal) and refusal.code == "too_long"
    assert "500 characters" in refusal.reason and "280" in refusal.reason


def test_cjk_counts_double_against_the_limit() -> None:
    refusal = plan_delivery("注" * 141, False, True, False, BrandPolicy(allow_threads=False), X)
    assert isinstance(refusal, Refusal) and "282 characters" in refusal.reason


def test_private_data_is_moved_to_dm_when_the_brand_forces_it() -> None:
    plan = plan_delivery("your account", False, True, True,
                         BrandPolicy(force_dm_on_private_data=True), X)
    assert plan == Plan(True, ("your account",), moved_to_dm=True)


def test_private_data_stays_public_when_the_brand_only_recommends() -> None:
    assert plan_delivery("hi", False, True, True, BrandPolicy(), X) == Plan(False, ("hi",))


def test_forced_dm_on_a_platform_without_dms_is_refused() -> None:
    refusal = plan_delivery("hi", False, True, True,
                            BrandPolicy(force_dm_on_private_data=True), NO_DM)
    assert isinstance(refusal, Refusal) and refusal.code == "private_data"


def test_public_reply_needs_a_target_and_dm_needs_support() -> None:
    assert plan_delivery("hi", False, False, False, BrandPolicy(), X) == \
        Refusal("invalid_argument", "no customer message to reply to")
    refusal = plan_delivery("hi", True, False, False, BrandPolicy(), NO_DM)
    assert isinstance(refusal, Refusal) and refusal.code == "unsupported"
