"""The inbox's bulk-reply preview assumes, until a responder records what its gateway
advertises, the quota a responder would record from the gateways' default limits: the two
must not drift apart (a preview that says "assumed" should then turn "advertised" with the
same minutes)."""

import pytest

from socialcare_gateways.settings import META_PAGE, X_POSTS, Budget
from socialcare_responder.domain.budget import Limit
from socialcare_responder.settings import ResponderSettings
from socialcare_router.api_clusters import ASSUMED_QUOTAS

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(("platform", "budget"), [
    ("x", X_POSTS), ("facebook", META_PAGE), ("instagram", META_PAGE)])
def test_the_assumed_quota_is_what_a_responder_records_from_the_gateway_default(
        platform: str, budget: Budget) -> None:
    fields = ResponderSettings.model_fields
    margin = fields["send_budget_margin"].default
    reserve = fields["send_budget_bulk_reserve"].default
    limit = Limit(budget.requests, budget.window_s)

    assumed = ASSUMED_QUOTAS[platform]
    assert assumed.window_s == limit.window_s
    assert assumed.bulk_per_window == limit.allowance(margin, reserve, bulk=True,
                                                      into_window=0)
