"""The page's Content-Security-Policy lets customers' images in from the configured platform
media hosts only; a setting that would open it to any host is refused at start."""

import pytest
from pydantic import ValidationError

from socialcare_router.inbox_page import page_headers
from socialcare_router.settings import RouterSettings

pytestmark = pytest.mark.unit


def test_images_come_from_the_page_and_the_media_hosts_only() -> None:
    policy = page_headers(["https://pbs.twimg.com"])["Content-Security-Policy"]
    assert "img-src 'self' data: https://pbs.twimg.com;" in policy
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy


@pytest.mark.parametrize("hosts", [["https:"], ["*"], ["http://pbs.twimg.com"],
                                   ["https://a.example; script-src *"]])
def test_a_media_host_that_would_open_the_policy_is_refused(hosts: list[str]) -> None:
    with pytest.raises(ValidationError):
        RouterSettings(inbox_media_hosts=hosts)
