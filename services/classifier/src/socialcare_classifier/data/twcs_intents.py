"""Intent labels for real customer tweets of the shared TWCS sample, without their text.

``twcs_intent_labels.csv`` holds, for 320 customer tweets of ``../shared/data/twcs-sample.csv``
(inbound rows shuffled with seed 16, the first 320), the default intents one engineer read in
each (issue 16): ``tweet_id``, ``intents`` (``;``-separated, empty when the tweet asks or
reports nothing: shared promotions, "ok", bare links) and ``split``. The data is CC BY-NC-SA
and may not be copied here, so only ids and labels ship; the text is joined from the shared
file and the set is empty without it. The ``dev`` half (160) is where rule changes were
chosen; the ``test`` half was never looked at for one.

How a tweet was labelled: every intent the tweet itself expresses, not its thread's. An order
not arrived is ``order_status`` and ``shipping_delivery``; what couriers and luggage do is
``shipping_delivery``; apps, devices and food that misbehave or are spoiled are
``product_defect``; delays, waiting, staff and support handling are ``service_complaint``;
thanks are ``praise`` even when polite; a request for help or information that no other
intent covers, or comes with one, is ``general_question`` (read as the taxonomy defines it:
see ``as_taxonomy``); brands' and third parties' ads are
``spam``; customers sharing a promotion they enjoy get no intent.
"""

import csv
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

from socialcare_contracts.intents import GENERAL_QUESTION, PRAISE


@dataclass(frozen=True, slots=True)
class LabelledTweet:
    """One customer tweet's text with its gold intents and its half (dev or test)."""

    tweet_id: str
    text: str
    intents: frozenset[str]
    split: str


def read_twcs_intents(twcs: Path) -> list[LabelledTweet]:
    """The labelled tweets with their text from ``twcs``; empty when that file is absent."""
    if not twcs.exists():
        return []
    with twcs.open(encoding="utf-8", newline="") as f:
        texts = {r["tweet_id"]: r["text"] for r in csv.DictReader(f)}
    labels = files("socialcare_classifier.data").joinpath("twcs_intent_labels.csv")
    with labels.open(encoding="utf-8", newline="") as f:
        return [LabelledTweet(r["tweet_id"], texts[r["tweet_id"]], as_taxonomy(r["intents"]),
                              r["split"])
                for r in csv.DictReader(f) if r["tweet_id"] in texts]


def as_taxonomy(labels: str) -> frozenset[str]:
    """The labels as the taxonomy defines them: ``general_question`` is the question no other
    intent (but praise) covers, so beside another one it is dropped; the file keeps it."""
    intents = frozenset(i for i in labels.split(";") if i)
    if intents - {GENERAL_QUESTION, PRAISE}:
        return intents - {GENERAL_QUESTION}
    return intents
