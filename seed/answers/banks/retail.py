"""The retail profile's comments: theme -> tone -> comments."""

from __future__ import annotations

_RETAIL = {
    "delivery": {
        "positive": (
            "The driver rang 30 minutes before and carried the table up two flights of stairs.",
            "Delivery arrived on the day promised and the drivers were careful with the sofa.",
            "Really impressed that the courier gave me a one-hour slot.",
            "Ordered on Monday and it was delivered on Wednesday, well packed.",
        ),
        "negative": (
            "My delivery was missed twice and nobody warned me. I took a day off for nothing.",
            "The driver left the parcel outside in the rain without knocking.",
            "Delivery slots are far too wide: waiting in all day is not practical.",
            "The courier tracking said delivered but nothing arrived for two days.",
        ),
        "suggestion": (
            "Please send a text when the van is an hour away.",
            "Offer evening or Saturday delivery slots for people who work.",
            "Let us choose a morning or afternoon delivery slot when ordering.",
        ),
    },
    "staff": {
        "positive": (
            "The staff in the Exeter shop were friendly and really knew the products.",
            "Chloe on the phone was so helpful and sorted my return in minutes.",
            "Lovely, polite staff who did not rush me.",
        ),
        "negative": (
            "The sales assistant was rude when I asked about returning an online order.",
            "Staff were chatting to each other and nobody offered to help.",
            "The adviser on the phone did not seem to know the returns policy.",
        ),
        "suggestion": (
            "More staff on the shop floor on Saturdays would help.",
            "Train shop staff on online orders so they can help with returns.",
        ),
    },
    "quality": {
        "positive": (
            "The bedding is excellent quality and has washed really well.",
            "Our dining chairs are sturdy and well made, worth every penny.",
            "Good quality products that have lasted for years.",
        ),
        "negative": (
            "The armchair leg broke within a month. Poor quality for the price.",
            "The lamp arrived damaged and the replacement was faulty too.",
            "The towels felt flimsy and went thin after a few washes.",
        ),
        "suggestion": (
            "Show more close-up photos so we can judge the quality before buying.",
            "Add customer reviews about how well things have lasted.",
        ),
    },
    "price": {
        "positive": (
            "Good value for money compared with the big chains.",
            "The price match was done without any fuss.",
            "Loved the discount for signing up to emails.",
        ),
        "negative": (
            "Delivery charges are expensive for small items.",
            "Prices have gone up a lot this year for the same products.",
            "I was charged full price although the item was in the sale.",
        ),
        "suggestion": (
            "Lower the price for free delivery; it would bring me back more often.",
            "A loyalty discount for regular customers would be nice.",
        ),
    },
    "website": {
        "positive": (
            "The website is easy to use and checkout was quick.",
            "Live chat answered my question about sizes straight away.",
            "Ordering online was simple and the confirmation email was clear.",
        ),
        "negative": (
            "The website crashed at checkout and took my payment twice.",
            "Live chat closed before my question was answered.",
            "Stock shown online was wrong: the shop did not have it.",
        ),
        "suggestion": (
            "Show real-time stock for each shop on the website.",
            "Let us save a basket on the website and come back later.",
        ),
    },
    "communication": {
        "positive": (
            "You kept me informed at every step of my order.",
            "Quick reply to my email and the answer was clear.",
            "Everything was explained clearly when I returned the lamp.",
        ),
        "negative": (
            "I had to chase three times for an answer about my refund.",
            "Nobody told me the order was delayed until I rang.",
            "Promised a call back that never came.",
        ),
        "suggestion": (
            "Send an update when a refund has been processed.",
            "Please reply to emails within the day, as the charter says.",
        ),
    },
    "range": {
        "positive": (
            "Great range of bedding and cushions, with colours I could not find elsewhere.",
            "Lovely choice of furniture for small flats.",
            "The new kitchen range is excellent.",
        ),
        "negative": (
            "The item I wanted was out of stock for weeks.",
            "Smaller choice in the shops than online.",
            "Only two colours of curtains in stock in the Bath shop.",
        ),
        "suggestion": (
            "Stock a bigger range of furniture for small spaces.",
            "Bring back the grey colours in the linen range.",
        ),
    },
}
