"""The default intent taxonomy: every intent the classifier emits without a brand taxonomy.

The classifier labels messages with these; the inbox offers them as filter values, so a
filter never names an intent nothing produces.
"""

from typing import Final

ORDER_STATUS: Final = "order_status"
SHIPPING_DELIVERY: Final = "shipping_delivery"
PRODUCT_DEFECT: Final = "product_defect"
PRODUCT_AVAILABILITY: Final = "product_availability"
PAYMENT_BILLING: Final = "payment_billing"
REFUND_RETURN: Final = "refund_return"
ACCOUNT_ACCESS: Final = "account_access"
OUTAGE: Final = "outage"
IN_STORE_EXPERIENCE: Final = "in_store_experience"
SERVICE_COMPLAINT: Final = "service_complaint"
PRAISE: Final = "praise"
GENERAL_QUESTION: Final = "general_question"
SPAM: Final = "spam"

DEFAULT_INTENTS: Final[tuple[str, ...]] = (
    ORDER_STATUS,
    SHIPPING_DELIVERY,
    PRODUCT_DEFECT,
    PRODUCT_AVAILABILITY,
    PAYMENT_BILLING,
    REFUND_RETURN,
    ACCOUNT_ACCESS,
    OUTAGE,
    IN_STORE_EXPERIENCE,
    SERVICE_COMPLAINT,
    PRAISE,
    GENERAL_QUESTION,
    SPAM,
)
