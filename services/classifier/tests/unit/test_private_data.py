import csv
from importlib.resources import files

import pytest

from socialcare_classifier.domain.private_data import (
    EMAIL,
    ORDER_NUMBER,
    PAYMENT_CARD,
    PHONE,
    find_private_data,
    mask,
)
from socialcare_text.personal_data import luhn_valid

pytestmark = pytest.mark.unit


def kinds(text: str) -> list[str]:
    return [f.kind for f in find_private_data(text)]


@pytest.mark.parametrize(
    ("number", "valid"),
    [
        ("4242424242424242", True),
        ("4242424242424241", False),
        ("5555555555554444", True),
        ("378282246310005", True),
        ("378282246310006", False),
        ("6011111111111117", True),
    ],
)
def test_luhn(number: str, valid: bool) -> None:
    assert luhn_valid(number) is valid


def test_card_numbers_need_a_valid_luhn_checksum() -> None:
    assert kinds("card 4242 4242 4242 4242 was charged") == [PAYMENT_CARD]
    assert kinds("card 4242-4242-4242-4242") == [PAYMENT_CARD]
    assert PAYMENT_CARD not in kinds("card 4242 4242 4242 4241 was charged")
    assert PAYMENT_CARD not in kinds("ref 1234 5678 9012")  # 12 digits: too short


def test_emails_and_phones() -> None:
    assert kinds("mail me at john.doe@example.com") == [EMAIL]
    assert kinds("call me on +1 (415) 555-0199") == [PHONE]
    assert kinds("mon numéro: 06 12 34 56 78") == [PHONE]
    assert kinds("@acme_support hi") == []  # a handle is not an email


def test_dates_times_prices_and_flight_numbers_are_not_private() -> None:
    assert find_private_data("flight 1234 on 2026-11-02 at 15:30, paid $49.99") == []
    assert find_private_data("order status please") == []


def test_order_numbers_by_configurable_pattern() -> None:
    assert kinds("where is my order #4471920?") == [ORDER_NUMBER]
    assert kinds("Pedido 98765432 no llegó") == [ORDER_NUMBER]
    assert kinds("commande n° FR-778812") == [ORDER_NUMBER]
    custom = (r"\bZX\d{4}\b",)
    assert [f.kind for f in find_private_data("ticket ZX1234", custom)] == [ORDER_NUMBER]
    assert find_private_data("my order #4471920", custom) == []


def test_mask_hides_values_but_keeps_their_shape() -> None:
    text = "j.doe@example.com, card 4242 4242 4242 4242, order #4471920, tel +1 415 555 0199"
    masked = mask(text)
    assert "j***@example.com" in masked
    assert "**** **** **** 4242" in masked
    assert "#****920" in masked
    assert "+* *** *** **99" in masked
    assert "doe" not in masked and "4471920" not in masked and "0199" not in masked


def test_mask_leaves_clean_text_alone() -> None:
    assert mask("nothing private here") == "nothing private here"


@pytest.mark.parametrize(
    "text",
    [
        "tracert: [137.221.83.74] 70 ms 71 ms 71 ms",
        "my router shows 192.168.1.1 and no internet",
        "on build 15063.674 the app crashes",
        "Windows 10 version 11.1770.14393.0 and Edge won't open",
        "updated to 10.0.16299.15 and now wifi is gone",
        "this one https://www.ebay.com/itm/123456789012 arrived broken",
        "see https://twitter.com/acme/status/925123456789012345",  # Luhn-valid by chance
        "product page bestbuy.com/site/6009695.p?skuId=6009695 wrong price",
        "@AcmeHelp @115712 @116705 737 Max delayed again",
        "flight z2 129.128 12/22-01/8 taipei-manila",
        "DPCI 030-02-8711 not in any store nearby",
        "PayPal case ID is PP-006-234-348-863",
    ],
)
def test_ip_addresses_versions_urls_handles_and_item_numbers_are_not_phones_or_cards(
        text: str) -> None:
    assert find_private_data(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "IMEI 356938035643809 blocked after repair",  # passes Luhn: was a card
        "barcode 5901234123457 not found at checkout",  # passes Luhn: was a card
        "UPC 036000291452 scans at the wrong price",  # was a phone
        "ISBN 978-3-16-148410-0 is the wrong edition",  # "16-148410" was a phone
        "my zip is 30093-1234 and it says out of area",  # was a phone
        "lot number 21-0387-445 on the recalled box",  # was a phone
        "receipt 4567 8901 2345, returned Monday",  # was a phone
    ],
)
def test_labelled_device_product_and_postal_numbers_are_not_phones_or_cards(text: str) -> None:
    assert find_private_data(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "booking reference 27745190 shows no seat",
        "Booking ref QX48TB and my son's",
        "confirmation number 1234567890 not found",  # was a phone
        "reservation no. 88123456 was cancelled",
    ],
)
def test_booking_references_open_a_booking_as_order_numbers_do(text: str) -> None:
    assert kinds(text) == [ORDER_NUMBER]


def test_labels_do_not_hide_a_card_or_phone_of_their_own() -> None:
    assert kinds("IMEI issue, card 4242 4242 4242 4242 charged twice") == [PAYMENT_CARD]
    assert kinds("+1 415 555 0100 is my number, ISBN 978-3-16-148410-0") == [PHONE]


def test_the_look_alikes_do_not_hide_real_numbers_beside_them() -> None:
    assert kinds("text me 415.555.0143 about build 15063.674") == [PHONE]
    assert kinds("https://acme.example/help says call +1 415 555 0100") == [PHONE]
    assert kinds("ping 8.8.8.8 fails, card 4242 4242 4242 4242") == [PAYMENT_CARD]


def test_private_data_set_scores_full_precision_and_recall() -> None:
    source = files("socialcare_classifier.data").joinpath("private_data_eval.csv")
    with source.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert sum(bool(r["kinds"]) for r in rows) >= 30
    assert sum(not r["kinds"] for r in rows) >= 30
    for row in rows:
        assert set(kinds(row["text"])) == {k for k in row["kinds"].split(";") if k}, row["text"]
