"""How simulated customers answer feedback questions: shared by the seed generator and the live
app (which simulates the answers to a survey a learner designed and sent).

Pure functions of a seeded `random.Random`: the same rng state gives the same answers.

- `simulate_response(rng, questions, segment, category, profile_key)`: one answer per question.
- `response_rate(segment, category)`: the share of a group that answers an emailed survey.
- The comment banks below are written to the app's themes (crm_sandbox.services.feedback_themes,
  theme -> keywords, which the app groups free-text comments by): every comment contains a
  keyword of its own theme.

Each respondent has a hidden satisfaction "mood" (1-5) drawn from a distribution that depends on
their segment: key accounts and regular customers are happiest, new customers a little less,
at-risk customers clearly unhappy. Ratings, the 0-10 recommend score, yes/no answers, choices on
scale-like options and the tone of free-text comments all follow that mood, so one person's
answers agree with each other.
"""

from __future__ import annotations

import random

# ---------------------------------------------------------------- themes and response rates


RESPONSE_RATES = {"key_account": 0.45, "regular": 0.35, "new": 0.25, "at_risk": 0.12}
INTERNAL_RATE = 0.6
NON_CUSTOMER_RATE = 0.15
UNKNOWN_SEGMENT_RATE = 0.3

# Mean and spread of the hidden 1-5 mood, by segment (and for internal customers).
MOOD = {
    "key_account": (4.3, 0.65),
    "regular": (4.2, 0.7),
    "new": (3.9, 0.8),
    "at_risk": (2.8, 0.85),
    "": (3.95, 0.85),
}
INTERNAL_MOOD = (3.95, 0.7)
NON_CUSTOMER_MOOD = (3.7, 0.8)


def response_rate(segment: str | None, category: str = "external") -> float:
    """Share of a group that answers an emailed survey (key accounts answer most, at-risk
    customers least, colleagues more than customers)."""
    if category == "internal":
        return INTERNAL_RATE
    if category == "non_customer":
        return NON_CUSTOMER_RATE
    return RESPONSE_RATES.get(segment or "", UNKNOWN_SEGMENT_RATE)


# ---------------------------------------------------------------- comment banks
# profile -> theme -> tone -> comments. Tones: positive, negative, suggestion.

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

_LEISURE = {
    "facilities": {
        "positive": (
            "The new gym equipment is great and there is always a machine free.",
            "Lovely pool, warm and not too busy in the mornings.",
            "The sauna and steam room are a real treat after a swim.",
        ),
        "negative": (
            "The showers have been cold for over a week.",
            "Half the lockers are broken, so I have to carry my bag round the gym.",
            "The car park is always full in the evenings.",
        ),
        "suggestion": (
            "Please put more hooks and benches in the changing rooms.",
            "Open the café earlier for the early swimmers.",
        ),
    },
    "cleanliness": {
        "positive": (
            "Changing rooms are always clean and tidy.",
            "The centre is spotlessly clean, even on a busy Saturday.",
            "Clean toilets and the showers smell fresh.",
        ),
        "negative": (
            "The changing rooms were dirty with hair on the floor.",
            "The family changing area was a mess on Sunday afternoon.",
            "There is a bad smell near the poolside toilets.",
        ),
        "suggestion": (
            "Check the changing rooms are clean more often at weekends.",
            "Put up a number to text when something needs cleaning.",
        ),
    },
    "classes": {
        "positive": (
            "The spin class instructor is brilliant and motivating.",
            "My daughter loves her swimming lessons and has come on so much.",
            "Great variety of classes on the timetable.",
        ),
        "negative": (
            "The aqua aerobics class time changed without any notice.",
            "Classes are always full by the time I can book.",
            "Swimming lessons were cancelled twice this term.",
        ),
        "suggestion": (
            "Add more evening classes for people who work.",
            "Publish the class timetable a month ahead.",
        ),
    },
    "staff": {
        "positive": (
            "Reception staff are always friendly and remember my name.",
            "The lifeguards are attentive and helpful with the children.",
            "The gym instructor was polite and gave me a good plan.",
        ),
        "negative": (
            "The receptionist was rude when I asked about my membership.",
            "Staff did not seem interested when I reported the broken locker.",
            "The lifeguard shouted at my son in front of everyone.",
        ),
        "suggestion": (
            "Have a member of staff in the gym at quiet times too.",
            "Name badges for staff would help.",
        ),
    },
    "price": {
        "positive": (
            "Good value for money compared with private gyms.",
            "The family membership discount makes it affordable for us.",
            "Fair prices for swimming lessons.",
        ),
        "negative": (
            "The price rise this year is too much for a council centre.",
            "I was charged after I cancelled my membership.",
            "Too expensive to bring the whole family swimming.",
        ),
        "suggestion": (
            "An off-peak membership at a lower price would suit retired people.",
            "A discount for paying for lessons a year ahead would help.",
        ),
    },
    "website": {
        "positive": (
            "The booking app is quick and easy to use.",
            "Booking online is so much easier than ringing up.",
        ),
        "negative": (
            "The booking app lost my class booking again.",
            "The website does not show when the pool is closed for lessons.",
            "I cannot log in to the app to cancel bookings.",
        ),
        "suggestion": (
            "Show the pool lane timetable on the app.",
            "Let us join a waiting list for full classes in the app.",
        ),
    },
    "waiting time": {
        "positive": (
            "Never have to wait for a machine in the gym in the mornings.",
            "Quick service at reception even when it was busy.",
        ),
        "negative": (
            "The queue at reception on Saturday morning was 20 minutes.",
            "I was on hold for ages when I rang to book.",
            "Too slow to sort out my direct debit problem.",
        ),
        "suggestion": (
            "Open a second till at reception at busy times to cut the queue.",
            "Add self-service check-in so we do not have to wait.",
        ),
    },
}

_HOUSING = {
    "repairs": {
        "positive": (
            "The boiler repair was done the same week and the operative was tidy.",
            "Our leak was fixed quickly and properly.",
            "Really pleased with the new kitchen; the contractor did a good job.",
        ),
        "negative": (
            "My repair has been outstanding for two months.",
            "The contractor did not turn up and nobody rang to say why.",
            "Same fault with the boiler three times this winter.",
        ),
        "suggestion": (
            "Give morning or afternoon repair appointments, not all day.",
            "Text us the day before a repair appointment.",
        ),
    },
    "communication": {
        "positive": (
            "The housing officer kept me informed all the way through.",
            "Clear letters that explained what happens next.",
            "They called back when they said they would.",
        ),
        "negative": (
            "I have to chase every time; nobody rang back.",
            "Nobody told me the appointment was cancelled.",
            "Emails go unanswered for weeks and nobody will update me.",
        ),
        "suggestion": (
            "Send text updates on the progress of repairs.",
            "Give each tenant a named contact who can let me know what is happening.",
        ),
    },
    "staff": {
        "positive": (
            "The staff at the Customer Hub are friendly and helpful.",
            "The operative was polite and explained what he was doing.",
            "My housing officer is very helpful with my benefit forms.",
        ),
        "negative": (
            "The person on the phone was rude and talked over me.",
            "Staff do not seem to care about the mould in my flat.",
            "The operative was unhelpful and left without finishing.",
        ),
        "suggestion": (
            "Staff should visit estates more often to see the problems.",
            "More staff on the phones on Monday mornings.",
        ),
    },
    "neighbourhood": {
        "positive": (
            "The estate is much better since the new lighting went in.",
            "Communal gardens are looked after well.",
            "You dealt with the noise from next door quickly.",
        ),
        "negative": (
            "The bin store is overflowing again and attracting rats.",
            "Anti-social behaviour on the estate is getting worse.",
            "Graffiti in the stairwell has been there for months.",
        ),
        "suggestion": (
            "Install CCTV by the bin store on our estate.",
            "Hold a residents' meeting about noise and anti-social behaviour.",
        ),
    },
    "price": {
        "positive": (
            "The service charge breakdown was clear and fair.",
            "Paying my rent online is easy and the discount for direct debit helps.",
        ),
        "negative": (
            "We pay a service charge for cleaning that never happens.",
            "The rise in service charges is too much this year.",
            "I was charged for a repair that was not my fault.",
        ),
        "suggestion": (
            "Show what the service charge pays for on the rent statement.",
            "Offer more help for tenants who cannot afford the new charges.",
        ),
    },
    "waiting time": {
        "positive": (
            "My call was answered quickly and sorted the same day.",
            "Fast response when we had no heating.",
        ),
        "negative": (
            "I waited on hold for 40 minutes to report a leak.",
            "The transfer list is so slow; four years and still waiting.",
            "It took too long to get someone out for the damp.",
        ),
        "suggestion": (
            "A call-back option instead of waiting on hold would help.",
            "Let tenants see their place in the queue for repairs.",
        ),
    },
}

_IT_SERVICES = {
    "waiting time": {
        "positive": (
            "Priority 1 faults are always picked up quickly.",
            "Fast response: the engineer was connected within 10 minutes.",
            "Calls are answered straight away, which matters when we cannot work.",
        ),
        "negative": (
            "We waited three hours for a response to a priority 1 fault.",
            "20 minutes on hold to the support line is too long.",
            "Response times have got slow over the last few months.",
        ),
        "suggestion": (
            "Tell us the expected response time when we log a ticket.",
            "Add a call-back option so we do not wait on hold.",
        ),
    },
    "repairs": {
        "positive": (
            "The fault was fixed remotely on the first call.",
            "The laptop repair was done in two days and works perfectly.",
            "Great to have the Wi-Fi fault fixed for good at last.",
        ),
        "negative": (
            "The same fault came back the day after the ticket was closed.",
            "Our laptop repair failed again within a week.",
            "Faults are patched, not fixed properly.",
        ),
        "suggestion": (
            "Check the fix has lasted before closing a ticket.",
            "Send a senior engineer when a fault comes back a second time.",
        ),
    },
    "staff": {
        "positive": (
            "The engineers are friendly and explain things without jargon.",
            "Ellie on the service desk is always helpful and patient.",
            "Polite, professional staff on every visit.",
        ),
        "negative": (
            "The engineer was dismissive and rude about our set-up.",
            "Staff on the phone made us feel the fault was our fault.",
            "Unhelpful when we asked for a simple explanation.",
        ),
        "suggestion": (
            "Staff should avoid jargon when talking to non-technical people.",
            "Tell us the engineer's name before a visit, so our staff know who to expect.",
        ),
    },
    "communication": {
        "positive": (
            "Regular updates on the ticket, so we always knew where things were.",
            "Clear reply to every email, with next steps explained.",
            "You kept us informed during the broadband outage.",
        ),
        "negative": (
            "Nobody updated us about our ticket for a week.",
            "We had to chase for a reply three times.",
            "No one told us the engineer was running late.",
        ),
        "suggestion": (
            "Send a daily update on open tickets.",
            "Let us know before planned maintenance, not after.",
        ),
    },
    "price": {
        "positive": (
            "Good value for money for what we get from the contract.",
            "Clear invoices with no surprises.",
        ),
        "negative": (
            "The contract renewed at a higher price without warning.",
            "We were charged for a visit that did not fix anything.",
            "Too expensive for a small office.",
        ),
        "suggestion": (
            "Offer a cheaper contract for very small businesses.",
            "Remind us 60 days before the contract renews, with the new price.",
        ),
    },
    "website": {
        "positive": (
            "The support portal is easy to use and shows all our tickets.",
            "Logging a ticket online takes a minute.",
        ),
        "negative": (
            "The portal still shows tickets as new days after we call.",
            "I cannot log in to the portal since the update.",
        ),
        "suggestion": (
            "Let us attach screenshots to tickets in the portal.",
            "Add a live chat to the portal for quick questions.",
        ),
    },
}

# Internal customers (colleagues and departments) comment on the service they get from the
# learner's team, whatever the organisation.
_INTERNAL = {
    "communication": {
        "positive": (
            "Always sends a reply to our emails the same day with what we need.",
            "Good at keeping us informed when a customer problem affects us.",
            "The weekly update on customer feedback is really useful.",
        ),
        "negative": (
            "We often have to chase for replies to our requests.",
            "Nobody told us about the change to the customer letters.",
            "Updates about customers come too late for us to act on them.",
        ),
        "suggestion": (
            "A weekly update on the problems customers raise about our department.",
            "Reply to say a request has been received, even if the answer takes longer.",
        ),
    },
    "waiting time": {
        "positive": (
            "Requests are dealt with quickly, usually the same day.",
            "Fast turnaround on urgent customer queries.",
        ),
        "negative": (
            "Requests are slow to come back when the team is busy.",
            "We wait days for simple customer details.",
        ),
        "suggestion": (
            "Agree a response time for internal requests, like the one for customers.",
            "Have a named person for urgent requests so we do not wait.",
        ),
    },
    "accuracy": {
        "positive": (
            "The details passed on to us are accurate and complete.",
            "Very few mistakes in the information we get.",
        ),
        "negative": (
            "Order numbers and amounts are often missing from requests.",
            "Customer details passed to us are sometimes wrong.",
            "We find mistakes in addresses nearly every week.",
        ),
        "suggestion": (
            "Use a form so nothing is missing from requests.",
            "Double-check the customer details before passing them on to avoid errors.",
        ),
    },
    "staff": {
        "positive": (
            "A friendly, helpful team who always try to sort things out.",
            "Polite and patient, even when we ask for things at short notice.",
        ),
        "negative": (
            "Not always helpful when our request does not fit the usual process.",
            "Staff sometimes seem too busy to talk to us.",
        ),
        "suggestion": (
            "Spend a day with our team so your staff see how we work.",
            "Introduce new staff to the departments they will work with.",
        ),
    },
}

COMMENTS: dict[str, dict[str, dict[str, tuple[str, ...]]]] = {
    "retail": _RETAIL,
    "leisure": _LEISURE,
    "housing": _HOUSING,
    "it_services": _IT_SERVICES,
    "internal": _INTERNAL,
}

# How often each theme comes up, per tone: (positive weight, negative weight). The weak spots of
# each organisation come up most in negative comments, so the analysis has something to find.
THEME_WEIGHTS: dict[str, dict[str, tuple[float, float]]] = {
    "retail": {
        "delivery": (1.5, 3.0),
        "staff": (3.0, 0.8),
        "quality": (2.0, 1.2),
        "price": (1.0, 1.0),
        "website": (1.0, 1.5),
        "communication": (1.0, 2.0),
        "range": (1.5, 0.8),
    },
    "leisure": {
        "facilities": (1.5, 2.0),
        "cleanliness": (1.0, 2.5),
        "classes": (2.5, 1.5),
        "staff": (3.0, 0.8),
        "price": (1.0, 1.2),
        "website": (1.0, 1.5),
        "waiting time": (0.8, 1.2),
    },
    "housing": {
        "repairs": (1.5, 3.0),
        "communication": (1.5, 2.5),
        "staff": (3.0, 1.0),
        "neighbourhood": (1.0, 1.5),
        "price": (0.7, 1.0),
        "waiting time": (1.0, 2.0),
    },
    "it_services": {
        "waiting time": (1.5, 2.5),
        "repairs": (2.0, 2.0),
        "staff": (3.0, 0.8),
        "communication": (1.2, 2.0),
        "price": (0.8, 1.0),
        "website": (0.8, 0.8),
    },
    "internal": {
        "communication": (2.0, 2.5),
        "waiting time": (1.5, 2.0),
        "accuracy": (1.0, 2.0),
        "staff": (2.0, 0.8),
    },
}

ENDINGS = {
    "positive": ("", "", "", " Thank you!", " Keep it up.", " Would recommend."),
    "negative": ("", "", "", " Please sort this out.", " Very disappointing.", " Not good enough."),
    "suggestion": ("", "", "", " Just an idea.", " Thanks."),
}

# Options that read as a scale, with how good each sounds (-1 .. 1); longest match wins.
SCALE_WORDS = (
    ("very dissatisfied", -1.0),
    ("very satisfied", 1.0),
    ("dissatisfied", -0.5),
    ("satisfied", 0.5),
    ("neither", 0.0),
    ("strongly disagree", -1.0),
    ("strongly agree", 1.0),
    ("disagree", -0.5),
    ("agree", 0.5),
    ("excellent", 1.0),
    ("very good", 0.8),
    ("very poor", -1.0),
    ("poor", -0.6),
    ("good", 0.5),
    ("average", 0.0),
    ("fair", 0.0),
    ("very difficult", -1.0),
    ("difficult", -0.5),
    ("very easy", 1.0),
    ("easy", 0.5),
    ("always", 1.0),
    ("usually", 0.5),
    ("sometimes", 0.0),
    ("rarely", -0.5),
    ("never", -1.0),
    ("same day", 1.0),
    ("next working day", 0.4),
    ("2-3", -0.3),
    ("longer", -1.0),
    ("bad", -0.7),
    ("ok", 0.0),
)
# yes/no questions where "yes" means something went wrong ("Did you have to chase us?"), unless
# they ask whether it was put right ("Was your problem sorted?").
NEGATIVE_QUESTION_WORDS = (
    "had a problem",
    "have a problem",
    "any problem",
    "have to chase",
    "had to chase",
    "more than once",
    "too long",
    "complain",
    "difficult",
    "go wrong",
    "went wrong",
    "disappoint",
    " late",
    "wrong",
)
PUT_RIGHT_WORDS = ("sorted", "solved", "resolved", "fixed", "put right", "dealt with")
SUGGESTION_WORDS = ("better", "improve", "suggest", "change", "what would make", "idea", "wish")
PRAISE_WORDS = ("like most", "like best", "liked", "enjoy", "did well", "best thing")

SKIP_NUMBER = 0.02  # people leave a rating out now and then
SKIP_CHOICE = 0.04
SKIP_TEXT = 0.3  # and free-text boxes much more often


# ---------------------------------------------------------------- answers


def simulate_response(
    rng: random.Random,
    questions: list[dict],
    segment: str | None,
    category: str = "external",
    profile_key: str = "retail",
) -> list[dict]:
    """One simulated person's answers to `questions` (dicts with `kind`, `text`, `options` and
    optionally `position`), in question order: `{"question_position", "number", "text",
    "choices"}`. Numbers: rating_5 1-5, recommend_0_10 0-10, yes_no 1.0/0.0 (None if skipped);
    choices are a subset of the options; text may be "" (skipped)."""
    mood = _mood(rng, segment or "", category)
    answers: list[dict] = [
        {
            "question_position": q.get("position") or index + 1,
            "number": None,
            "text": "",
            "choices": [],
        }
        for index, q in enumerate(questions)
    ]
    felt: list[float] = []  # the numbers given, on the 1-5 scale, to set the comments' tone
    for q, answer in zip(questions, answers, strict=True):
        kind = q.get("kind")
        if kind == "rating_5":
            if rng.random() >= SKIP_NUMBER:
                answer["number"] = float(_clip(round(rng.gauss(mood, 0.5)), 1, 5))
                felt.append(answer["number"])
        elif kind == "recommend_0_10":
            if rng.random() >= SKIP_NUMBER:
                score = _clip(round(2.5 * (mood - 1) + rng.gauss(0, 1.1)), 0, 10)
                answer["number"] = float(score)
                felt.append(1 + score / 2.5)
        elif kind == "yes_no" and rng.random() >= SKIP_NUMBER:
            answer["number"] = 1.0 if rng.random() < _yes_chance(q.get("text", ""), mood) else 0.0
    tone_mood = sum(felt) / len(felt) if felt else mood
    source = "internal" if category == "internal" else profile_key
    if source not in COMMENTS:
        source = "retail"
    for q, answer in zip(questions, answers, strict=True):
        kind = q.get("kind")
        if kind in ("single_choice", "multiple_choice"):
            if rng.random() >= SKIP_CHOICE:
                answer["choices"] = _choose(rng, list(q.get("options") or []), kind, mood)
        elif kind == "free_text":
            skip = 0.0 if len(questions) == 1 else SKIP_TEXT
            if rng.random() >= skip:
                answer["text"] = _comment(rng, source, q.get("text", ""), tone_mood)
    return answers


def comment(rng: random.Random, profile_key: str, tone: str, theme: str | None = None) -> str:
    """A comment from the bank of `profile_key` (or "internal") in a tone ("positive",
    "negative" or "suggestion"), on `theme` or on one picked by the profile's theme weights."""
    source = profile_key if profile_key in COMMENTS else "retail"
    if theme is None:
        theme = _theme(rng, source, tone)
    return rng.choice(COMMENTS[source][theme][tone]) + rng.choice(ENDINGS[tone])


def _mood(rng: random.Random, segment: str, category: str) -> float:
    if category == "internal":
        mean, spread = INTERNAL_MOOD
    elif category == "non_customer":
        mean, spread = NON_CUSTOMER_MOOD
    else:
        mean, spread = MOOD.get(segment, MOOD[""])
    return min(5.4, max(0.6, rng.gauss(mean, spread)))


def _clip(value: int, low: int, high: int) -> int:
    return max(low, min(high, value))


def _yes_chance(text: str, mood: float) -> float:
    good = min(0.95, max(0.05, 0.1 + 0.8 * (mood - 1) / 4))
    lowered = text.lower()
    if any(word in lowered for word in PUT_RIGHT_WORDS):
        return good
    if any(word in lowered for word in NEGATIVE_QUESTION_WORDS):
        return 1 - good
    return good


def _scale_score(option: str) -> float | None:
    lowered = option.lower()
    best: tuple[int, float] | None = None
    for words, score in SCALE_WORDS:
        if words in lowered and (best is None or len(words) > best[0]):
            best = (len(words), score)
    return best[1] if best else None


def _choose(rng: random.Random, options: list[str], kind: str, mood: float) -> list[str]:
    if not options:
        return []
    scores = [_scale_score(o) for o in options]
    if all(s is not None for s in scores) and len(set(scores)) > 1:
        # A scale: the respondent picks the option that matches how they feel.
        feeling = (mood - 3) / 2 + rng.gauss(0, 0.3)
        nearest = min(range(len(options)), key=lambda i: (abs(scores[i] - feeling), i))
        return [options[nearest]]
    # Otherwise earlier options are a little more popular (as on most real lists).
    weights = [1 / (1 + 0.35 * i) for i in range(len(options))]
    if kind == "single_choice":
        return [rng.choices(options, weights)[0]]
    wanted = min(len(options), rng.choices((1, 2, 3), (0.35, 0.4, 0.25))[0])
    chosen: list[str] = []
    pool, pool_weights = list(options), list(weights)
    for _ in range(wanted):
        pick = rng.choices(range(len(pool)), pool_weights)[0]
        chosen.append(pool.pop(pick))
        pool_weights.pop(pick)
    return [o for o in options if o in chosen]  # in the order the options are listed


def _tone(rng: random.Random, question: str, mood: float) -> str:
    lowered = question.lower()
    if mood >= 3.7:
        tone = "positive"
    elif mood <= 2.7:
        tone = "negative"
    else:
        tone = "positive" if rng.random() < mood - 2.7 else "negative"
    if any(word in lowered for word in SUGGESTION_WORDS):
        if tone == "positive" or rng.random() < 0.5:
            return "suggestion"
        return "negative"
    if any(word in lowered for word in PRAISE_WORDS) and mood >= 3:
        return "positive"
    return tone


def _theme(rng: random.Random, source: str, tone: str) -> str:
    weights = THEME_WEIGHTS[source]
    column = 1 if tone == "negative" else 0
    themes = list(weights)
    return rng.choices(themes, [weights[t][column] for t in themes])[0]


def _comment(rng: random.Random, source: str, question: str, mood: float) -> str:
    tone = _tone(rng, question, mood)
    bank = COMMENTS[source]
    theme = _theme(rng, source, tone)
    text = rng.choice(bank[theme][tone])
    if tone != "suggestion" and rng.random() < 0.15:
        # Some people mention two things.
        other = _theme(rng, source, tone)
        if other != theme:
            text = f"{text} {rng.choice(bank[other][tone])}"
    return text + rng.choice(ENDINGS[tone])
