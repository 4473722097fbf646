"""Multi-label intents from a default taxonomy: keyword and phrase rules in several languages."""

import re

from socialcare_classifier.domain.fuzzy import FuzzyIndex
from socialcare_classifier.domain.text import prepare
from socialcare_contracts.intents import (
    ACCOUNT_ACCESS,
    GENERAL_QUESTION,
    IN_STORE_EXPERIENCE,
    ORDER_STATUS,
    OUTAGE,
    PAYMENT_BILLING,
    PRAISE,
    PRODUCT_AVAILABILITY,
    PRODUCT_DEFECT,
    REFUND_RETURN,
    SERVICE_COMPLAINT,
    SHIPPING_DELIVERY,
    SPAM,
)
from socialcare_contracts.intents import DEFAULT_INTENTS as TAXONOMY

# Single words (typos within one edit match words of 6+ letters) and regex phrases per intent.
# Phrases are split on "|" and stripped, so a space may not touch a "|" inside a group.
_NOT_ARRIVED = (
    "hasn't arrived|has not arrived|never arrived|didn't arrive|not arrived|no ha llegado"
    "|no me ha llegado|no llegó|pas (?:encore )?(?:reçu|arrivée?)|toujours pas arrivée?"
    "|nicht angekommen|noch nicht da|não chegou|non è (?:ancora )?arrivat|niet aangekomen"
    "|niet ontvangen|아직도? 배송이 안|まだ届|never (?:gonna|going to) (?:receive|get)\\b"
    "|(?:is|are|it's|they're) still not here|(?:still )?haven't received (?:it|them|my|the|your)\\b"
    "(?! (?:an? |any |the |your )?(?:e-?mails?|code|texts?|calls?|reply|response|refund))"
)
# Real words one edit away from a keyword, never to be read as its misspelling.
_REAL_WORDS = frozenset({"shopping", "charger", "chargers", "changed", "stopper", "passport"})

_KEYWORDS: dict[str, tuple[str, str]] = {
    ORDER_STATUS: (
        "tracking rastreo suivi sendungsverfolgung rastreamento tracciamento",
        _NOT_ARRIVED + "|status of (?:my |the |your )?order|order #|order number|order status"
        "|where is my|where's my|status of my|track my|tracking number|not received"
        "|hasn't arrived|has not arrived|never arrived|didn't arrive|not arrived"
        "|when will my order|lost (?:my|our) (?:booking|reservation|order)|still waiting for my"
        "|dónde está mi"
        "|estado de mi|no ha llegado|no me ha llegado|où est ma|pas (?:encore )?reçu|wo ist meine"
        "|nicht angekommen|noch nicht da|cadê meu|onde está meu|não chegou|non è (?:ancora )?"
        "arrivat|dov'è il mio|waar is mijn|niet (?:aangekomen|ontvangen)|주문|注文"
        "|(?:my|our|the|this|that) order (?:is|was|has|hasn't|never|still|wasn't|didn't|got"
        " (?:cancel|lost|mess))|order (?:botched|cancelled|canceled|missing|wrong)|wrong order"
        "|messed up (?:(?:my|our|the|so many) )?orders?|(?:don't|do not|didn't|never) (?:have"
        "|got|get|receive|received) my (?:order|package|parcel|item|food|delivery)|forgot to"
        " include|(?:missing|left out) (?:from|in) (?:my|the) (?:order|bag|box)|none of the \\w+"
        " (?:i|we) ordered",
    ),
    SHIPPING_DELIVERY: (
        "delivery deliveries shipping shipment shipped courier parcel package envío entrega"
        " livraison colis lieferung paket versand consegna pacco spedizione levering pakket"
        " bezorging luggage baggage ship ships envíos livrez livrer liefert liefern entregam"
        " spedite spedire bezorgen",
        _NOT_ARRIVED + "|delivered to|left at|wrong address|out for delivery|not delivered"
        "|late delivery|lost package|배송|택배|配送|発送|届",
    ),
    PRODUCT_DEFECT: (
        "overheating burning broken broke defective faulty damaged cracked scratched leaking"
        " leaks stopped"
        " roto rota dañado cassé cassée défectueux kaputt defekt beschädigt quebrado quebrada"
        " defeituoso rotto rotta difettoso danneggiato kapot beschadigd"
        # What a device or an app does wrong, as customers write it.
        " freeze freezes freezing froze frozen unresponsive lag lags lagging laggy glitch"
        " glitches glitching glitchy buggy malfunction malfunctioning disappeared repair"
        " overheats overheated bricked bug bugs crash crashes crashed crashing"
        # Food and goods that are spoiled or not what they should be.
        " mould mouldy mold moldy inedible stale undercooked rotten expired",
        "won't turn on|won't charge|fell apart|stopped working|arrived broken|is broken|고장|불량"
        "|壊れ|不良|shut(?:s|ting)? (?:off|down) (?:by itself|on (?:its|it's) own|randomly|without)"
        "|keeps (?:shutting|turning|restarting|rebooting|freezing|dropping|disconnecting)"
        "|(?:battery|batería|batterie|bateria|batteria|accu)(?: life)? (?:drains?|dies|died"
        "|lasts|only lasts|me dura|dura|hält|tient|worse|is terrible|draining)|barely works"
        "|black screen|stuck on|won't (?:open|start|boot|update|connect|sync)|not charging"
        "|(?:issue|issues|problem|problems|trouble) with my|having (?:issues|problems|trouble)"
        "|even slower|so slow since|error message"
        "|error code|getting (?:(?:an|this|the) )?error|wrong with my|greyed out|won't save"
        "|battery (?:life|drain)|keyboard (?:lag|issue|problem|bug|glitch)|nothing works"
        "|didn't save|not saving|can't be played|keeps (?:saying|showing)"
        "|technical (?:issue|problem)|(?:hair|plastic|glass|metal|insect)s? in (?:my|the|our|your"
        "|it|food)|already (?:split|ripped|torn|broke)"
        "|(?:still|so|very|really|painfully) sl+o+w\\b",
    ),
    PRODUCT_AVAILABILITY: (
        "stock restock restocked restocking backorder preorder agotado rupture épuisé ausverkauft"
        " esgotado esaurito uitverkocht",
        "out of stock|in stock|come back|coming back|bring back|back in stock|sold out"
        "|available in|when will you have|no longer (?:serving|available|selling|sold|carry"
        "|carrying|offer|offering|flying)|discontinued|pre[- ]order|any"
        " stock|sin stock|en stock|auf lager|disponível|disponibile|op voorraad|품절|재고|在庫",
    ),
    PAYMENT_BILLING: (
        "pay payment paid billing cobrada cobrado cartão bill invoice overcharged card paypal"
        " pago cobro"
        " factura paiement facture prélevé zahlung rechnung abgebucht pagamento cobrança"
        " fatura addebito fattura betaling factuur afgeschreven",
        "charged|charges|double charged|charged twice|credit card|declined|payment failed|billing"
        " issue|me cobraron|cobrado dos|cobrad[ao] duas|débité deux|zweimal abgebucht"
        "|addebitato"
        " due|twee keer|결제|청구|請求|支払",
    ),
    REFUND_RETURN: (
        "refund refunds refunded return returned returns reembolso devolución devolver"
        " remboursement rembourser retour rückerstattung erstattung rücksendung reembolso"
        " devolução rimborso reso terugbetaling retourneren",
        "money back|send it back|exchange it|return label|mi dinero|mon argent|mein geld|meu"
        " dinheiro|i miei soldi|mijn geld|환불|반품|返金|返品",
    ),
    ACCOUNT_ACCESS: (
        "password login log locked hacked compromised suspended deactivated 2fa verification"
        " contraseña cuenta bloqueada"
        " identifiant connexion passwort konto gesperrt senha conta bloqueada accesso"
        " wachtwoord inloggen geblokkeerd",
        "log in|sign in|can't login|cannot log|locked out|reset my password|my account"
        "|verification code|mi cuenta|mon compte|mein konto|minha conta|il mio account"
        "|mijn account|로그인|비밀번호|계정|ログイン|パスワード|アカウント|apple id|someone (?:used"
        "|accessed|got into) my|unauthori[sz]ed"
        "|(?:close|delete|deactivate|reactivate|cancel) (?:my |the )?(?:\\w+ )?account"
        "|account (?:\\w+ )?(?:closed|deleted|deactivated|reactivated|on hold)",
    ),
    OUTAGE: (
        "outage outages downtime offline servers caída panne störung ausfall fora"
        " interruzione storing",
        "is down|are down|still down|blank page|(?:app|site|website|page)(?: is|'s)? not working"
        "|site down|website down"
        "|app down|app is down|not loading|won't load"
        "|can't load|error 500|error 503|server error|no service|is it down"
        "|anyone else|everything down|está caído|no carga|ne charge pas|en panne|geht nicht"
        "|lädt nicht|fora do ar|não carrega|non carica|è giù|ligt eruit|doet het niet|접속"
        "|먹통|서버|繋がらない|つながらない|障害|no (?:internet|signal|connection|cable|wifi|wi-fi)"
        "|(?:internet|wifi|wi-fi|connection|network|cable|signal)(?: (?:has been|is|went|keeps))?"
        " (?:out|down|dropping|cutting out|going out)|lost (?:my )?(?:signal|connection|internet)"
        "|request timed out|sin (?:internet|señal|servicio)|sem (?:internet|sinal)"
        "|(?:service|internet|connection|wifi|wi-fi) (?:is )?(?:always )?on and off"
        "|poor (?:network|signal|reception|connection|internet)|(?:download|upload) speed"
        "|slow (?:internet|connection|speeds?)|internet (?:fixed|repaired|back)",
    ),
    IN_STORE_EXPERIENCE: (
        "store cashier staff employee employees manager queue tienda cajero"
        " dependiente magasin caissier caissière vendeur filiale laden kassierer verkäufer loja"
        " caixa atendente negozio cassiere commesso winkel kassa medewerker",
        "in store|in-store|at the store|your store|the branch|store manager|security guard"
        "|long line|en la tienda|au magasin|im laden|na loja|in negozio|in de winkel|매장|店員"
        "|店舗",
    ),
    SERVICE_COMPLAINT: (
        "rude unhelpful incompetent ignored ignoring unprofessional complaint complaints complain"
        " complained inadequate unanswered crooks scam scammers scammed lying lied",
        "customer service|customer support|no response|no reply|no answer|on hold|still"
        " waiting|been waiting|nobody answers|no one answers|hung up|terrible service|worst"
        " service|poor service|your agent|your support|atención al cliente|nadie responde"
        "|service client|personne ne répond|kundenservice|niemand antwortet|atendimento"
        "|ninguém responde|servizio clienti|nessuno risponde|klantenservice|niemand reageert"
        "|고객센터|상담원|サポート|対応|no support|not (?:a )?response|(?:your|the|my|our) drivers?"
        " (?:was|is|just|refused|cancel+ed|never|didn't|did not|drove|left|started)|support team"
        "|nobody (?:helps|replies|responds|answered)|customer care"
        "|(?:no one|nobody) (?:will|can|is going to)"
        " (?:get back|answer|help|respond)|get back to me|(?:wasn't|not|isn't) helpful|messed up"
        "|screwed up"
        "|worst (?:\\w+ )?(?:experience|isp|company|airline|customer|provider)"
        "|lost (?:me|a) (?:as a )?customer|never fly(?:ing)? (?:with )?(?:you|them|again)"
        # Delays of a journey (a parcel's delay is shipping's).
        "|(?:flight|train|plane|departure|bus)(?:'s| is| was| got| has been)? delayed|long delay"
        "|delayed (?:flight|train|departure)",
    ),
    PRAISE: (
        "thanks thank thx love awesome amazing excellent fantastic kudos great gracias"
        " merci danke obrigado obrigada grazie bedankt genial génial toll ótimo ottimo"
        " geweldig perfect perfecto parfait perfekt",
        "thank you|well done|great job|good job|made my day|above and beyond|shout out"
        "|you guys rock|love it|love you|best service|muchas gracias|merci beaucoup|vielen"
        " dank|muito obrigado|grazie mille|heel erg bedankt|감사|고마|최고|ありがとう|最高",
    ),
    SPAM: (
        "giveaway crypto bitcoin forex airdrop onlyfans followers promo",
        "follow me|follow back|check my profile|check out my|click here|click the link|dm me"
        " for|earn \\$|make money|free followers|visit my|link in bio|100% free|work from home"
        "|get (?:a |your )?free|when you buy",
    ),
}

_QUESTION_STARTS = frozenset(
    "how what when where why who which can could do does did is are will would should"
    " cómo qué cuándo dónde por puedo pueden comment quand où pourquoi est-ce pouvez wie was"
    " wann wo warum können kann como quando onde porque pode podem come quando dove perché"
    " potete hoe wat wanneer waar waarom kunnen kan".split()
)


def _compile() -> tuple[FuzzyIndex, tuple[tuple[str, re.Pattern[str]], ...]]:
    words: list[tuple[str, str]] = []
    phrases: list[tuple[str, re.Pattern[str]]] = []
    for intent, (word_list, phrase_list) in _KEYWORDS.items():
        words.extend((word, intent) for word in word_list.split())
        alternatives = "|".join(p.strip() for p in phrase_list.split("|"))
        phrases.append((intent, re.compile(alternatives)))
    # Seven letters: shorter words have too many real neighbours (change/charge, packed/hacked).
    return FuzzyIndex(words, min_fuzzy_len=7, real_words=_REAL_WORDS), tuple(phrases)


_WORD_INDEX, _PHRASES = _compile()
# "Not working" is a defect only when nothing more specific (login, outage, payment) explains it.
_GENERIC_DEFECT = re.compile(
    r"doesn't work|does not work|not working|no funciona|ne (?:marche|fonctionne) pas"
    r"|funktioniert nicht|não funciona|non funziona|werkt niet|fix (?:this|it)\b"
)
_SPAM_STRONG = re.compile(r"link in bio|click here|follow me|follow back|free followers|dm me for"
                          r"|get (?:a |your )?free|when you buy")
_SPECIFIC_FAILURES = frozenset({ACCOUNT_ACCESS, OUTAGE, PAYMENT_BILLING})
# Asking for help is a question even without a question mark.
_HELP_RE = re.compile(
    r"need (?:some |your )?(?:help|assistance)|help me|please help"
    r"|can (?:you|someone|anyone) help|any help|please advise|what (?:should|can) i do"
    r"|(?:pls|plz|please) help|help (?:pls|plz|please)"
    r"|necesito ayuda|besoin d'aide|brauche hilfe|preciso de ajuda|ho bisogno di aiuto"
    r"|hulp nodig|(?:have|got) (?:a |some |a few )?(?:questions?|query)|i(?: would|'d) like to"
    r"|(?:can't|cannot|can not) (?:find|see)"
)
# A promotion ("$3 burritos today", "20% off, shop now") is cheerful without praising anyone.
_PROMO_RE = re.compile(
    r"\d+ ?% off|for (?:just |only )?[$£€]\d|[$£€]\d+(?:\.\d\d)? \w+s? for|shop now|order now"
    r"|buy now|limited time|don't miss|black friday|cyber monday|giveaway|free shipping"
    r"|promo code|discount code|#\w*deals?\b|\bdeals? (?:of|on|this|today)|on sale|sale (?:now|ends"
    r"|starts)|special (?:event|offer)"
)
_PRAISING_RE = re.compile(
    r"thank|thx|kudos|well done|great|good job|love|awesome|amazing|excellent|fantastic|best"
    r"|brilliant|wonderful|appreciate|helpful|impressed|perfect|smooth|nice|glad|pleased|quick"
    r"|fast|super|not bad|gracias|merci|danke|obrigad|grazie|bedankt|excelente|rápid|rapide"
    r"|schnell|veloce|snel|blij|親切|嬉し|좋|👏"
)
_THANKS_RE = re.compile(
    r"thank|thx|kudos|well done|great job|good job|love (?:you|it|this)|gracias|merci|danke"
    r"|obrigad|grazie|bedankt"
)


def detect_intents(text: str) -> tuple[str, ...]:
    """Taxonomy ids the message expresses, in taxonomy order (may be empty)."""
    prepared = prepare(text)
    found: set[str] = set()
    for word in prepared.words:
        intent = _WORD_INDEX.get(word)
        if intent is not None:
            found.add(intent)
    lower = prepared.lower
    for intent, pattern in _PHRASES:
        if intent not in found and pattern.search(lower):
            found.add(intent)
    if not found & _SPECIFIC_FAILURES and _GENERIC_DEFECT.search(lower):
        found.add(PRODUCT_DEFECT)
    if SPAM in found and "http" not in text.lower() and not _SPAM_STRONG.search(lower):
        # Customers say "promo" or "followers" too; without a link or a pitch it is not spam.
        found.discard(SPAM)
    if PRAISE in found and _PROMO_RE.search(lower) and not _THANKS_RE.search(lower):
        found.discard(PRAISE)
    asks = ("?" in text or (prepared.words and prepared.words[0] in _QUESTION_STARTS)
            or _HELP_RE.search(lower))
    if asks and not found - {PRAISE}:
        found.add(GENERAL_QUESTION)
    return tuple(intent for intent in TAXONOMY if intent in found)


_COMPLAINTS = frozenset(
    {ORDER_STATUS, PRODUCT_DEFECT, PAYMENT_BILLING, REFUND_RETURN, ACCOUNT_ACCESS, OUTAGE, SPAM}
)


def reconcile_with_sentiment(intents: tuple[str, ...], sentiment_score: float,
                             text: str = "") -> tuple[str, ...]:
    """Praise needs a non-negative tone and complaints a non-positive one.

    Keywords alone cannot tell "thanks for nothing" from thanks, or "customer service was
    great" from a service complaint; the sentiment score settles it.
    """
    found = set(intents)
    if sentiment_score < 0:
        found.discard(PRAISE)
    elif sentiment_score >= 0.3:
        found.discard(SERVICE_COMPLAINT)
        lower = text.lower()
        promotion = bool(text) and _PROMO_RE.search(lower) is not None
        # A cheerful tone alone ("Boorito!!! my favourite tradition ❤️", "iPhone 7 Plus 😊") is
        # no praise of anyone: on labelled real tweets it was wrong more often than right.
        if (sentiment_score >= 0.45 and not found & _COMPLAINTS and not promotion
                and (not text or _PRAISING_RE.search(lower))):
            found.add(PRAISE)
            found.discard(GENERAL_QUESTION)
    return tuple(intent for intent in TAXONOMY if intent in found)
