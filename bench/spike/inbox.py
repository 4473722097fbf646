"""What the stack's inbox API says after a run, as a supervisor reads it: the incidents,
and which messages each of the brand's clusters holds."""

import time
from datetime import datetime
from typing import Any

import httpx

from bench.common import console
from bench.spike.grouping import incident_timing

SUPERVISOR_KEY = "dev-supervisor-key"
PAGE = 5_000  # the members endpoint's largest page


class Inbox:
    def __init__(self, url: str, api_key: str = SUPERVISOR_KEY) -> None:
        self.client = httpx.Client(base_url=url, headers={"X-API-Key": api_key}, timeout=30)

    def incidents(self) -> list[dict[str, Any]]:
        answer = self.client.get("/v1/incidents", params={"limit": 200})
        answer.raise_for_status()
        return answer.json()

    def wait_closed(self, brand: str, burst_start: datetime, wait_s: float
                    ) -> list[dict[str, Any]]:
        """The incidents once the burst's has closed, or after ``wait_s`` seconds."""
        deadline = time.monotonic() + wait_s
        with console.status("waiting for the burst's incident to close") as status:
            while True:
                incidents = self.incidents()
                timing = incident_timing(incidents, brand, burst_start)
                if timing["closed after s"] is not None or time.monotonic() >= deadline:
                    return incidents
                state = "none opened" if timing["opened after s"] is None else \
                    f"opened {timing['opened after s']:.0f} s after the burst began"
                status.update(f"waiting for the burst's incident to close: {state}")
                time.sleep(2.0)

    def cluster_members(self, brand: str) -> list[list[str]]:
        """The platform message ids of each of the brand's biggest clusters today (the 100
        the list shows: the burst is in the biggest)."""
        answer = self.client.get("/v1/clusters", params={"limit": 100})
        answer.raise_for_status()
        return [self._members(c["id"]) for c in answer.json() if c["brand_account"] == brand]

    def _members(self, cluster_id: str) -> list[str]:
        ids: list[str] = []
        while True:
            answer = self.client.get(f"/v1/clusters/{cluster_id}/members",
                                     params={"offset": len(ids), "limit": PAGE})
            answer.raise_for_status()
            page = answer.json()
            ids += [m["platform_message_id"] for m in page["members"]]
            if not page["members"] or len(ids) >= page["total"]:
                return ids

    def close(self) -> None:
        self.client.close()
