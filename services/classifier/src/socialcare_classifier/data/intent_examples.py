"""A handful of example messages per default intent, written for the project (issue 16).

The deep stage's few-shot intent model is the mean embedding of each intent's examples (its
prototype); the examples are the project's own words, so the prototypes ship with it, unlike
anything fitted to the CC BY-NC-SA sets. ``NO_INTENT`` are messages that ask or report
nothing (chat, shared promotions, acknowledgements): their prototype competes with the
intents' so that such a message gets none. A few examples are in other languages because the
embeddings are multilingual and one prototype then serves every language.
"""

from typing import Final

from socialcare_classifier.domain.prototypes import NO_INTENT
from socialcare_contracts import intents as i

INTENT_EXAMPLES: Final[dict[str, tuple[str, ...]]] = {
    i.ORDER_STATUS: (
        "Where is my order? I placed it two weeks ago and still nothing",
        "Can you tell me the status of my order please",
        "My order still says processing after 5 days, what is going on",
        "I ordered on Monday and haven't received a confirmation or tracking number",
        "When will my order ship?",
        "Order still not here, can someone check it",
        "¿Dónde está mi pedido? Lo hice hace una semana",
        "Wo bleibt meine Bestellung?",
    ),
    i.SHIPPING_DELIVERY: (
        "The tracking hasn't updated in four days",
        "Package was marked delivered but it's not at my door",
        "The courier left my parcel in the rain",
        "Delivery was supposed to be today and the driver never came",
        "You lost my luggage on the flight to Denver",
        "My bag didn't arrive at the carousel",
        "The delivery driver threw the box over the fence",
        "Le colis n'est jamais arrivé, le livreur dit qu'il l'a déposé",
    ),
    i.PRODUCT_DEFECT: (
        "The app keeps crashing every time I open it",
        "My phone freezes every few minutes since the update",
        "The screen is cracked and it arrived like this",
        "Battery drains in two hours after the latest update",
        "The laptop won't turn on anymore, it's only a month old",
        "The food was spoiled when I opened it",
        "Got a faulty charger, it stopped working after a day",
        "The app is unresponsive and won't load my account page",
        "O aplicativo trava toda hora depois da atualização",
    ),
    i.PRODUCT_AVAILABILITY: (
        "Is this item back in stock anytime soon?",
        "Why is it always sold out online and in store",
        "Will you restock the blue one in size medium?",
        "When will the new model be available in Canada",
        "Do you still sell the original flavour? I can't find it anywhere",
        "Out of stock again, when do you get more",
    ),
    i.PAYMENT_BILLING: (
        "I was charged twice for the same order",
        "Why was my card billed when I cancelled my subscription",
        "My payment keeps getting declined at checkout",
        "There is a charge on my statement I don't recognise",
        "You overcharged me on my last bill",
        "Can I pay with PayPal or only by card?",
        "Me cobraron dos veces el mismo mes",
    ),
    i.REFUND_RETURN: (
        "I want a refund for this",
        "How do I return an item I bought online?",
        "Still waiting for my refund after three weeks",
        "I sent the product back but never got my money",
        "Can I exchange this for a different size?",
        "I'd like my money back, the flight was cancelled",
        "Ich möchte mein Geld zurück",
    ),
    i.ACCOUNT_ACCESS: (
        "I can't log into my account",
        "My account has been hacked, someone changed my email",
        "Password reset link doesn't work",
        "I'm locked out of my account after too many attempts",
        "The verification code never arrives so I can't sign in",
        "My account was suspended for no reason",
        "Someone compromised my account and is making purchases",
    ),
    i.OUTAGE: (
        "Is your service down? Nothing loads",
        "No internet in my area since this morning",
        "The website is down again",
        "Network outage? I have had no signal all day",
        "Streaming isn't working for anyone right now",
        "Your servers are down and I can't connect",
        "Power outage in our neighbourhood for 6 hours",
    ),
    i.IN_STORE_EXPERIENCE: (
        "The staff at your downtown store were so rude to me",
        "Waited 40 minutes at the counter and nobody helped",
        "The manager at the branch refused to help me",
        "The store was filthy and the shelves were empty",
        "The cashier was really helpful today at your Main Street location",
        "The drive-thru got my order wrong again",
    ),
    i.SERVICE_COMPLAINT: (
        "I've been on hold for over an hour",
        "Your customer service is terrible, nobody answers",
        "The flight was delayed three hours and no one told us anything",
        "I keep being transferred between departments and nobody fixes it",
        "This is the third time I'm contacting you about the same problem",
        "Worst service ever, I'm switching providers",
        "Nobody responded to my email for a week",
        "94 min hold and counting, you need more agents",
        "Finally got an agent after another hour. Thanks…",
    ),
    i.PRAISE: (
        "Thank you so much for the quick help!",
        "Great service today, the agent was amazing",
        "Love the new update, works perfectly",
        "Thanks for sorting this out so fast",
        "Best airline crew ever, thank you",
        "You guys are awesome, problem solved",
        "Muchas gracias por la ayuda",
    ),
    i.GENERAL_QUESTION: (
        "What are your opening hours on Sunday?",
        "Can I change my seat after booking?",
        "How do I update my address on my account?",
        "Do you ship to Ireland?",
        "Can someone help me with a question?",
        "Is there a way to add a second user to my plan?",
        "Please DM me, I need some help",
    ),
    i.SPAM: (
        "Follow us and retweet to win a free iPhone",
        "Click here for cheap followers",
        "Earn $500 a day from home, link in bio",
        "Check out my new mixtape",
        "Buy now: 70% off designer bags at our shop",
        "Crypto giveaway, send 1 BTC get 2 back",
    ),
    NO_INTENT: (
        "ok",
        "lol",
        "Just got the new one, so excited",
        "Watching the game tonight",
        "Happy Friday everyone",
        "Look at this deal I found",
        "Good morning",
        "haha same",
    ),
}
