"""Incident events: a brand's messages surge past its own baseline (a promotion gone wrong,
an outage), and the surge ends. Published on ``socialcare.incidents.v1``, keyed by brand."""

from enum import StrEnum

from pydantic import Field

from socialcare_contracts.limits import Id, NonNegativeInt64, Timestamp
from socialcare_contracts.messages import Contract


class IncidentChange(StrEnum):
    OPENED = "opened"
    UPDATED = "updated"  # the rate climbed to a new peak
    CLOSED = "closed"


class IncidentUpdated(Contract):
    """An incident opened, peaked higher, or closed."""

    incident_id: Id
    change: IncidentChange
    brand_account: Id
    intent: Id = Field(description="The intent that surged, or '*' for the brand's volume")
    opened_at: Timestamp = Field(description="Event time: when the surge's messages were "
                                             "written, though a lagging router sees it later")
    detected_at: Timestamp | None = Field(
        default=None, description="When the router saw the surge (absent from producers "
                                  "older than this field)")
    closed_at: Timestamp | None = None
    messages: NonNegativeInt64 = Field(description="Messages in the window just measured")
    per_minute: float = Field(ge=0, description="Rate over the window, messages per minute")
    baseline_per_minute: float = Field(ge=0, description="The usual rate for this hour of "
                                                         "the week")
    peak_per_minute: float = Field(ge=0)
    negative_share: float = Field(ge=0, le=1)
    updated_at: Timestamp
