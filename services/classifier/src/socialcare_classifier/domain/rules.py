"""Configurable classifier rules: brand keywords, order-number patterns and their version."""

import hashlib
from dataclasses import dataclass, field

BASE_VERSION = "rules-2026.11.1"

DEFAULT_BRAND_KEYWORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "acme",
        (
            "acme",
            "acmeshop",
            "acme shop",
            "acme store",
            "acme_support",
            "acmesupport",
            "acme support",
            "acme co",
            "acmé",
            "akme",
            "acmee",
        ),
    ),
    ("acme prime", ("acme prime", "acmeprime", "prime membership")),
    ("acme pay", ("acme pay", "acmepay", "acme wallet")),
)

# A digit is required inside the id so "order status" never counts as an order number.
DEFAULT_ORDER_PATTERNS: tuple[str, ...] = (
    r"(?i)\b(?:order|pedido|commande|bestellung|ordine|encomenda|bestelling|주문|注文)"
    r"\s*(?:number|num\.?|no\.?|nr\.?|n[º°o]\.?|numero|número|nummer|id)?\s*[:#]?\s*"
    r"(?=[A-Z0-9-]*\d)[A-Z0-9][A-Z0-9-]{4,19}\b",
    # Booking, reservation and confirmation references open a customer's booking as an
    # order number opens an order ("Reference number is 16934380", "confirmation code K9QW21").
    r"(?i)\b(?:booking|reservation|confirmation|reference|ref)"
    r"\s*(?:number|num\.?|no\.?|nr\.?|code|id)?\s*(?:is\s*)?[:#]?\s*"
    r"(?=[A-Z0-9-]*\d)[A-Z0-9][A-Z0-9-]{4,19}\b",
    r"#\d{5,12}\b",
    r"\b(?:AC|ACM)-?\d{6,10}\b",
)


@dataclass(frozen=True, slots=True)
class ClassifierRules:
    """What a deployment may tune without code: listening keywords and order-number shapes.

    ``brand_keywords`` pairs a canonical keyword with its spellings: abbreviations,
    handles and common misspellings (words of 5+ letters also match within one edit).
    """

    brand_keywords: tuple[tuple[str, tuple[str, ...]], ...] = DEFAULT_BRAND_KEYWORDS
    order_patterns: tuple[str, ...] = DEFAULT_ORDER_PATTERNS
    version: str = BASE_VERSION
    fingerprint: str = field(init=False, default="")

    def __post_init__(self) -> None:
        # The version must change whenever the rules do, even if a deployer forgets to bump it.
        digest = hashlib.sha256(
            repr((self.brand_keywords, self.order_patterns)).encode("utf-8")
        ).hexdigest()[:8]
        object.__setattr__(self, "fingerprint", digest)

    @property
    def model_version(self) -> str:
        """Version string stamped on each classification."""
        if self.brand_keywords == DEFAULT_BRAND_KEYWORDS and (
            self.order_patterns == DEFAULT_ORDER_PATTERNS
        ):
            return self.version
        return f"{self.version}+{self.fingerprint}"


DEFAULT_RULES = ClassifierRules()
