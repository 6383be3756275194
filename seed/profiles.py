"""Organisation profiles: the made-up businesses a learner's sandbox CRM belongs to.

Plain data only. `seed.generate` turns a profile into an organisation row and fills the CRM
with contacts and history using the vocabulary here. Templates may use these placeholders:
{item}, {ref}, {amount}, {date}, {department}, {first_name}, {last_name}, {town}.
"""

from __future__ import annotations

from dataclasses import dataclass, field

PLACEHOLDERS = (
    "item",
    "ref",
    "amount",
    "date",
    "department",
    "first_name",
    "last_name",
    "town",
)


@dataclass(frozen=True)
class Profile:
    """One simulated organisation: what the learner reads about it, and what its data is made of.

    `interaction_topics` holds the customer-facing templates, by kind:
    - "inbound": (what the customer asked or reported, how we answered it) pairs
    - "outbound_proactive": contacts we start (reminders, updates, feedback requests)
    - "complaint": (category, what the customer complained about, our stage 1 response)
    - "supplier_inbound" / "supplier_outbound": contact with suppliers
    `internal_requests` maps each department to (what it asks the learner's team for, the reply)
    pairs and `internal_outbound` to what the learner's team asks that department for.
    """

    key: str
    name: str
    sector: str
    description: str
    learner_role: str
    working_days: tuple[int, ...]
    opens_at: str
    closes_at: str
    departments: tuple[dict, ...]
    policies: dict[str, str]
    complaints_procedure: dict
    products_or_services: tuple[str, ...]
    interaction_topics: dict[str, tuple]
    outcomes: tuple[str, ...]
    internal_requests: dict[str, tuple[tuple[str, str], ...]]
    internal_outbound: dict[str, tuple[str, ...]]
    supplier_kinds: tuple[tuple[str, str], ...]  # (kind of supplier, word used in its name)
    needs: tuple[str, ...]
    business_needs: tuple[str, ...]
    preferences: tuple[str, ...]
    segment_weights: dict[str, float]
    # Share of external customers that are business accounts (the rest are individuals).
    business_share: float
    channel_weights: dict[str, float]
    colleague_job_titles: dict[str, tuple[str, ...]]  # first title: the head of department
    team: tuple[str, ...]  # the learner's own team: who recorded the history
    # Business customers: (name pattern, job titles their contact person might have).
    business_kinds: tuple[tuple[str, tuple[str, ...]], ...]
    contact_notes: tuple[str, ...]  # short notes on individual customers' records
    business_notes: tuple[str, ...]  # and on business accounts
    reference_prefix: str
    email_domain: str
    phone_prefix: str  # an Ofcom drama-number range, so no real line is ever dialled
    address: str
    postcode: str
    other_contacts: tuple[dict, ...] = field(default=())
    # Complaints: more detail per category (added to a complaint's description), the root causes
    # and lessons learned recorded when one is closed, and complaints from internal customers
    # (dicts: department, category, description, response, root_cause, lesson).
    complaint_details: dict[str, tuple[str, ...]] = field(default_factory=dict)
    complaint_causes: dict[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)
    internal_complaints: tuple[dict, ...] = ()
    # Words for the seeded feedback collections (see seed.generate.SURVEY_DESIGNS).
    feedback: dict = field(default_factory=dict)
    # The charter's promise for replying to written messages, for the seeded service standard.
    email_reply_within: tuple[int, str] = (1, "working_days")


def _procedure(levels, escalate_when, categories) -> dict:
    keys = ("front_line", "supervisor", "manager", "external_review")
    names = (
        "Stage 1: front-line resolution",
        "Stage 2: supervisor review",
        "Stage 3: manager review",
        "External review",
    )
    return {
        "levels": [
            {
                "key": key,
                "name": name,
                "owner": owner,
                "acknowledge_within": _within(ack),
                "resolve_within": _within(resolve),
            }
            for key, name, (owner, ack, resolve) in zip(keys, names, levels, strict=True)
        ],
        "escalate_when": list(escalate_when),
        "categories": list(categories),
    }


def _within(spec: tuple[int, str] | None) -> dict | None:
    if spec is None:
        return None
    amount, unit = spec
    return {"amount": amount, "unit": unit}


DAYS = "working_days"
HOURS = "working_hours"

SUPPLIER_INBOUND = (
    "Confirmed the delivery date for our next order {ref}",
    "Sent invoice {ref} and asked who should approve it",
    "Told us about a price increase from {date}",
    "Asked for feedback on their service last quarter",
    "Sent an updated price list",
    "Reported a delay on our order {ref}",
    "Asked to change their bank details (checked by calling the number on file before "
    "passing it on)",
    "Asked for a site contact for their visit on {date}",
    "Sent their updated insurance certificate",
    "Asked for a purchase order number for invoice {ref}",
)

SUPPLIER_OUTBOUND = (
    "Chased the late delivery of order {ref}",
    "Asked for a quote for next quarter",
    "Reported a problem with the last delivery (order {ref})",
    "Confirmed access arrangements for their visit on {date}",
    "Asked for a copy of their insurance certificate",
    "Passed on a colleague's query about invoice {ref}",
    "Asked for a named account manager",
    "Confirmed our order {ref} in writing",
    "Asked for a delivery slot before {date}",
    "Asked them to update our delivery address details",
)

SUPPLIER_OUTCOMES = (
    "Noted on the supplier record",
    "Passed to the team that placed the order",
    "Confirmed by email",
    "Waiting for the supplier's reply",
    "Resolved",
)

# People who contact every kind of organisation without being customers.
OTHER_CONTACTS = (
    {
        "role": "Job applicant",
        "job_title": "",
        "organisation": "",
        "note": "Job applicant (Customer Service Assistant vacancy); not a customer",
        "topics": (
            "Asked whether their job application had been received",
            "Asked for directions to their interview on {date}",
            "Asked for feedback after their interview",
        ),
        "outcome": "Passed to HR; applicant told they will hear within 5 working days",
    },
    {
        "role": "Journalist",
        "job_title": "Reporter",
        "organisation": "{town} Evening Post",
        "note": "Local journalist: media enquiries go to the manager; do not comment",
        "topics": (
            "Asked for a comment on a customer's social media post",
            "Asked about our plans for the coming year",
            "Asked to speak to the manager about a story",
        ),
        "outcome": "Took details and passed to the manager; no comment given",
    },
    {
        "role": "Courier",
        "job_title": "Delivery driver",
        "organisation": "{last_name} Parcels",
        "note": "Courier who delivers to the office; not a customer",
        "topics": (
            "Asked where to leave a parcel for the office",
            "Asked for a signature for a delivery to reception",
            "Reported that the loading bay was blocked",
        ),
        "outcome": "Gave directions; parcel signed for at reception",
    },
    {
        "role": "Student researcher",
        "job_title": "Student",
        "organisation": "{town} College",
        "note": "Student asking for information for a project; not a customer",
        "topics": (
            "Asked for an interview about customer service for a college project",
            "Asked how many customers we have",
        ),
        "outcome": "Explained we cannot share customer data; sent our published charter",
    },
    {
        "role": "Neighbour",
        "job_title": "",
        "organisation": "",
        "note": "Lives next to our premises; not a customer",
        "topics": (
            "Complained about vans parking across their drive",
            "Asked about noise from early deliveries",
        ),
        "outcome": "Apologised and passed to the manager to speak to the drivers",
    },
)


RETAIL_COMPLAINT_DETAILS = {
    "Late or missed delivery": (
        "They had taken the day off work to wait in and want the delivery charge refunded.",
        "Nobody rang to explain, and the tracking page gave no information.",
        "This is the second time a delivery date has been missed on this order.",
    ),
    "Faulty or damaged product": (
        "They sent photos of the damage and want a replacement before the weekend.",
        "They say they have always been happy with our products until now.",
        "They would like a full refund rather than a repair.",
    ),
    "Refund delay": (
        "The returns label shows the item reached our warehouse on time.",
        "They were told on the phone that the refund had been sent, but nothing has arrived.",
        "They are now overdrawn and asked for the refund to be sent today.",
    ),
    "Wrong item sent": (
        "The box was labelled correctly but held a different product.",
        "They need the right item for a family visit next week.",
        "They do not want to pay to send the wrong item back.",
    ),
    "Staff attitude": (
        "They say they were spoken to in front of other customers and felt embarrassed.",
        "They were told they could not return the item without a receipt, although they had "
        "the order email.",
        "They would like an apology from the shop.",
    ),
    "Website or online ordering": (
        "They say it is the second time they have had a problem with the website.",
        "They could not find a way to contact us on the website and had to ring instead.",
        "They want to know the problem has been reported so it does not happen again.",
    ),
    "Billing or payment": (
        "The order confirmation showed free delivery, but the card statement shows the charge.",
        "They feel the free delivery offer was misleading.",
        "They asked for the full amount back on their card.",
    ),
}
RETAIL_COMPLAINT_CAUSES = {
    "Late or missed delivery": (
        (
            "The van route was overbooked on the day and the delivery was dropped without "
            "telling the customer.",
            "Warehouse and Delivery now ring customers by midday when a delivery will be missed; "
            "Customer Service checks rebooked orders on the route list.",
        ),
        (
            "The driver did not have the access note because it was not passed to the Warehouse.",
            "Delivery notes are passed to the Warehouse the same working day and checked at "
            "dispatch.",
        ),
    ),
    "Faulty or damaged product": (
        (
            "The item was damaged in the courier's depot: the outer box was crushed.",
            "Buying has asked the supplier for stronger packaging on large items.",
        ),
        (
            "A batch from the supplier had a known fault that had not been passed on.",
            "Buying now emails Customer Service and Stores the day a faulty batch is found.",
        ),
    ),
    "Refund delay": (
        (
            "The return was booked in at the warehouse but not passed to Finance for two weeks.",
            "Returns go to Finance each afternoon, and refunds older than 5 working days are "
            "checked every Monday.",
        ),
        (
            "The refund request was sent to Finance without the order number.",
            "Refund requests go on the refund form with the order number and amount checked.",
        ),
    ),
    "Wrong item sent": (
        (
            "Two products with similar codes were stored next to each other in the warehouse.",
            "The warehouse has moved the products apart and added photos to the picking list.",
        ),
        (
            "The order was picked from an out-of-date picking list.",
            "Picking lists are printed at the start of each shift only.",
        ),
    ),
    "Staff attitude": (
        (
            "The member of staff did not know the returns policy for online orders brought into "
            "a shop.",
            "Stores staff have had a refresher on the returns policy and our service standards.",
        ),
        (
            "The shop was short-staffed and the customer was rushed.",
            "The Stores manager has reviewed staffing on Saturdays.",
        ),
    ),
    "Website or online ordering": (
        (
            "A fault in the payment page let the customer pay twice when the page was slow.",
            "IT Support fixed the payment page; Customer Service checks for double payments "
            "whenever a customer reports a slow checkout.",
        ),
        (
            "The live chat closed at 17:00 but the website said it was open until 17:30.",
            "The website now shows the right chat hours.",
        ),
    ),
    "Billing or payment": (
        (
            "The free delivery offer was not applied because of a wrong code on the website.",
            "Marketing checks each offer code on the website before it goes live.",
        ),
        (
            "The cancelled item was not removed from the payment before dispatch.",
            "Cancellations are checked against the payment before an order is dispatched.",
        ),
    ),
}
RETAIL_INTERNAL_COMPLAINTS = (
    {
        "department": "Warehouse and Delivery",
        "category": "Late or missed delivery",
        "description": "Warehouse and Delivery say delivery instructions for order {ref} "
        "reached them a day late, so the van went without the access note and the delivery "
        "failed. They asked for notes to be passed on the same working day.",
        "response": "Apologised, passed the instructions on and agreed to send delivery notes "
        "to the Warehouse before 3pm each day",
        "root_cause": "The access note was saved on the customer record but not sent to the "
        "Warehouse.",
        "lesson": "Delivery notes are emailed to the Warehouse inbox the same working day and "
        "checked before the route list closes.",
    },
    {
        "department": "Finance",
        "category": "Refund delay",
        "description": "Finance say three refund requests this week came without order "
        "numbers, so they could not process them and the customers chased their refunds.",
        "response": "Sent the missing order numbers and amounts, and agreed to use the refund "
        "form every time",
        "root_cause": "The refund requests were sent by email instead of on the refund form.",
        "lesson": "All refund requests go on the refund form with the order number and amount "
        "checked.",
    },
    {
        "department": "Stores",
        "category": "Website or online ordering",
        "description": "The {town} shop says click-and-collect orders are confirmed to "
        "customers before the stock is checked, so customers arrive to collect items that are "
        "not there.",
        "response": "Apologised and agreed to check stock with the shop before confirming a "
        "collection date",
        "root_cause": "Collection dates were confirmed from the website stock figure, which is "
        "only updated overnight.",
        "lesson": "Customer Service checks stock with the shop before confirming a collection.",
    },
)
RETAIL_FEEDBACK = {
    "team": "Customer Service",
    "service": "our shops, website and delivery service",
    "contact_options": ("Phone", "Email", "Live chat", "Social media", "In a shop", "Letter"),
    "factors": (
        "Low prices",
        "Quality of products",
        "Fast delivery",
        "Range of products",
        "Friendly, knowledgeable staff",
        "Easy returns",
        "An easy-to-use website",
    ),
    "card": {
        "title": "Shop comment cards",
        "purpose": "Comment cards on the counter in all six shops, so customers can tell us "
        "about their visit while it is fresh.",
        "question": "How was your visit to our shop today?",
    },
    "suggestion": {
        "title": "Suggestion box (shops and website)",
        "purpose": "A suggestion box in every shop and a suggestion form on the website: "
        "customers' ideas for what we could do better.",
    },
    "welcome": "How easy was it to place your first order with us?",
    "lapsed_reasons": (
        "Prices",
        "Problems with a delivery",
        "A problem with a previous order",
        "Found a better range elsewhere",
        "Don't need anything at the moment",
        "Other",
    ),
    "key_offers": (
        "A trade price list each month",
        "A named account manager",
        "Monthly invoicing",
        "Samples before ordering",
        "Early delivery slots to site",
    ),
}


RETAIL = Profile(
    key="retail",
    name="Harbour & Vine Home Stores",
    sector="Retail (homeware, high street and online)",
    description=(
        "Harbour & Vine sells homeware, bedding and small furniture from six high-street shops "
        "in the South West and through its website. Orders are delivered by its own vans within "
        "30 miles of a shop and by courier elsewhere. The Customer Service team at the Bristol "
        "head office answers phone, email, live chat and social media enquiries for every shop "
        "and the website."
    ),
    learner_role="Customer Service Administrator in the Customer Service team at head office",
    working_days=(1, 2, 3, 4, 5),
    opens_at="09:00",
    closes_at="17:30",
    departments=(
        {
            "name": "Finance",
            "head": "Marcus Odunsi",
            "relies_on_you_for": "Refund requests with the order number and amount checked, and "
            "up-to-date contact details for trade customers with unpaid invoices",
        },
        {
            "name": "Warehouse and Delivery",
            "head": "Janet Pryce",
            "relies_on_you_for": "Delivery instructions, access notes and rebooking requests "
            "passed on the same working day",
        },
        {
            "name": "Stores",
            "head": "Helen McAllister",
            "relies_on_you_for": "Click-and-collect orders confirmed with customers, and quick "
            "answers about online orders brought into a shop",
        },
        {
            "name": "Buying",
            "head": "Oliver Grant",
            "relies_on_you_for": "Reports of faulty or damaged products, with order numbers and "
            "photos, so that suppliers can be contacted",
        },
        {
            "name": "Marketing",
            "head": "Sofia Marchetti",
            "relies_on_you_for": "Monthly customer feedback themes and an accurate record of who "
            "has consented to marketing on which channel",
        },
        {
            "name": "HR",
            "head": "Rebecca Lowe",
            "relies_on_you_for": "Timesheets and holiday requests on time, and updates to staff "
            "contact details",
        },
        {
            "name": "IT Support",
            "head": "Dev Patel",
            "relies_on_you_for": "Clear fault reports about the CRM, phones and website chat, "
            "with screenshots and the time it happened",
        },
    ),
    policies={
        "charter": (
            "Our customer service promises\n"
            "- We answer phone calls within 20 seconds (5 rings) during opening hours.\n"
            "- We reply to emails, web forms and social media messages within 1 working day.\n"
            "- We answer live chat within 2 minutes during opening hours.\n"
            "- We give you a delivery date when you order and tell you at least 24 hours before "
            "if it changes.\n"
            "- We refund returned items within 5 working days of receiving them.\n"
            "- We acknowledge complaints within 1 working day and give a full response within "
            "5 working days."
        ),
        "returns": (
            "Returns and refunds\n"
            "- Change of mind: return unused items in their original packaging within 30 days "
            "of delivery for a full refund. Bring them to any shop or book a free collection.\n"
            "- Faulty items: you can reject a faulty item within 30 days for a full refund "
            "(Consumer Rights Act 2015). After 30 days we repair or replace it first, and "
            "refund if that does not work.\n"
            "- Online orders can be cancelled within 14 days of delivery (Consumer Contracts "
            "Regulations).\n"
            "- Not returnable unless faulty: made-to-order furniture, personalised items and "
            "opened bedding (pillows, duvets, mattress protectors).\n"
            "- Refunds go back to the original payment method within 5 working days of us "
            "receiving the item. Delivery charges are refunded only if the whole order is "
            "returned or the item is faulty.\n"
            "- Without proof of purchase we offer an exchange or a gift card."
        ),
        "data_protection": (
            "Data protection (UK GDPR and the Data Protection Act 2018)\n"
            "- Record only what we need to deliver orders and service: name, contact details, "
            "delivery address, order history and needs the customer has agreed we can note.\n"
            "- Check identity (name, postcode and order number) before discussing an order.\n"
            "- Marketing goes only on the channels a customer has consented to; email, phone, "
            "post and text are recorded separately. Messages about an order are service "
            "messages and do not need marketing consent.\n"
            "- Staff details in the CRM (colleagues, departments) are personal data too and "
            "are protected in the same way.\n"
            "- Customer records are kept for 6 years after the last order (tax and guarantee "
            "claims), then deleted. Marketing consent is reviewed every 2 years.\n"
            "- Report any data breach (for example, an email sent to the wrong customer) to the "
            "Data Protection Lead straight away: we have 72 hours to tell the ICO if needed."
        ),
        "complaints": (
            "How we handle complaints\n"
            "1. Stage 1 (front-line resolution): the Customer Service Administrator who "
            "receives the complaint logs it, acknowledges it within 1 working day and aims to "
            "put it right within 5 working days.\n"
            "2. Stage 2 (supervisor review): if the customer is not satisfied, the complaint is "
            "about a member of staff, or a refund or compensation over £100 is asked for, the "
            "Customer Service Supervisor reviews it and responds within 10 working days.\n"
            "3. Stage 3 (manager review): the Customer Experience Manager gives our final "
            "response within 20 working days.\n"
            "4. If the customer is still not satisfied they can use our independent "
            "Alternative Dispute Resolution (ADR) scheme.\n"
            "Log every complaint in the CRM with its category, each contact and the outcome."
        ),
    },
    complaints_procedure=_procedure(
        levels=(
            ("Customer Service Administrator", (1, DAYS), (5, DAYS)),
            ("Customer Service Supervisor", (1, DAYS), (10, DAYS)),
            ("Customer Experience Manager", (2, DAYS), (20, DAYS)),
            ("Retail ADR scheme (independent Alternative Dispute Resolution)", None, None),
        ),
        escalate_when=(
            "the customer is not satisfied with the stage 1 response",
            "the complaint is about a member of staff",
            "a refund or compensation over £100 is asked for",
            "the same problem has been complained about twice on one order",
        ),
        categories=(
            "Late or missed delivery",
            "Faulty or damaged product",
            "Refund delay",
            "Wrong item sent",
            "Staff attitude",
            "Website or online ordering",
            "Billing or payment",
        ),
    ),
    products_or_services=(
        "oak bedside table",
        "linen duvet cover set",
        "cast-iron casserole dish",
        "memory foam pillow",
        "velvet armchair",
        "set of four dining chairs",
        "wool throw",
        "pair of blackout curtains",
        "towel bale",
        "ceramic table lamp",
        "extending dining table",
        "kitchen knife block",
        "storage ottoman",
        "king-size mattress",
        "garden bistro set",
        "bathroom mirror",
    ),
    interaction_topics={
        "inbound": (
            (
                "Asked when the {item} will be back in stock",
                "Gave the expected restock date for the {item} and set up a back-in-stock alert",
            ),
            (
                "Asked for a delivery date for order {ref}",
                "Checked with the Warehouse and confirmed delivery of order {ref} on {date}",
            ),
            (
                "Chased the refund for order {ref}",
                "Checked with Finance and confirmed the refund of {amount} for order {ref} "
                "was sent",
            ),
            (
                "Asked how to return the {item} from order {ref}",
                "Sent the returns form and booked a free collection of the {item} for {date}",
            ),
            (
                "Asked for the measurements of the {item}",
                "Sent the measurements and care guide for the {item}",
            ),
            (
                "Wanted to change the delivery address on order {ref}",
                "Updated the delivery address on order {ref} and confirmed it in writing",
            ),
            (
                "Asked whether our drivers can assemble the {item}",
                "Explained the assembly service and price, and added it to order {ref}",
            ),
            (
                "Reported that part of order {ref} was missing",
                "Arranged for the missing part of order {ref} to go on the next van, {date}",
            ),
            (
                "Asked to use a gift card against order {ref}",
                "Applied the gift card balance to order {ref} and sent a new receipt",
            ),
            (
                "Asked whether the {item} comes in another colour",
                "Sent photos and prices of the other colours of the {item}",
            ),
            ("Asked for a VAT receipt for order {ref}", "Sent a VAT receipt for order {ref}"),
            (
                "Wanted to cancel order {ref}",
                "Cancelled order {ref} and confirmed the refund of {amount}",
            ),
            (
                "Asked about click-and-collect for the {item}",
                "Confirmed the {item} will be ready to collect from the shop on {date}",
            ),
            (
                "Asked whether we would price-match the {item}",
                "Explained our price-match rules and applied a {amount} price adjustment",
            ),
            (
                "Asked to rearrange the delivery of order {ref}",
                "Rebooked delivery of order {ref} for {date} with the Warehouse",
            ),
            (
                "Asked about the guarantee on the {item}",
                "Explained the 2-year guarantee on the {item} and sent the terms",
            ),
            (
                "Asked to stop marketing emails",
                "Removed email marketing consent and confirmed this in writing",
            ),
            (
                "Asked to update their phone number and address",
                "Updated the contact details and read them back to check they were right",
            ),
        ),
        "outbound_proactive": (
            "Let the customer know order {ref} will arrive a day late",
            "Reminded the customer that the {item} is ready to collect",
            "Asked for feedback on the delivery of order {ref}",
            "Checked the customer was happy with the {item}",
            "Told the customer about the spring sale on the {item}",
            "Confirmed the customer's marketing choices",
            "Offered an earlier delivery slot for the {item}, on {date}",
            "Sent care instructions for the {item} delivered last week",
            "Confirmed the access details before delivery of order {ref}",
            "Sent the trade price list for the new season",
            "Asked the customer to review the {item}",
            "Checked a replacement {item} had arrived safely",
            "Told the customer the {item} on order {ref} has been discontinued and offered "
            "alternatives",
            "Reminded the customer that the return period for order {ref} ends on {date}",
            "Invited the customer to the trade open evening on {date}",
        ),
        "complaint": (
            (
                "Late or missed delivery",
                "Complained that order {ref} did not arrive on the agreed day",
                "Apologised, rebooked delivery of order {ref} for {date} and refunded the "
                "delivery charge",
            ),
            (
                "Late or missed delivery",
                "Complained that the driver did not wait and took the {item} away again",
                "Apologised, rebooked delivery for {date} and asked the driver to call ahead",
            ),
            (
                "Faulty or damaged product",
                "Complained that the {item} arrived damaged",
                "Arranged a replacement {item} and collection of the damaged one on {date}",
            ),
            (
                "Faulty or damaged product",
                "Complained that the {item} broke after three weeks",
                "Offered a repair or a full refund of {amount} under the Consumer Rights Act",
            ),
            (
                "Refund delay",
                "Complained that the refund for order {ref} had not arrived after two weeks",
                "Checked with Finance, confirmed the refund of {amount} and apologised for the "
                "delay",
            ),
            (
                "Wrong item sent",
                "Complained that the wrong {item} was delivered",
                "Sent the correct item and booked collection of the wrong one for {date}",
            ),
            (
                "Staff attitude",
                "Complained that a member of shop staff was rude about a return",
                "Apologised and passed the details to the Stores manager to review",
            ),
            (
                "Website or online ordering",
                "Complained that the website took payment twice for order {ref}",
                "Confirmed the duplicate payment of {amount} has been refunded",
            ),
            (
                "Billing or payment",
                "Complained about a {amount} delivery charge on an order advertised with free "
                "delivery",
                "Refunded {amount} and explained the free delivery threshold",
            ),
            (
                "Website or online ordering",
                "Complained that the live chat closed before their question was answered",
                "Apologised, answered the question about the {item} and reported the chat "
                "fault to IT Support",
            ),
        ),
        "supplier_inbound": SUPPLIER_INBOUND,
        "supplier_outbound": SUPPLIER_OUTBOUND,
    },
    outcomes=(
        "Resolved at first contact",
        "Customer happy with the answer",
        "Customer will get back to us if anything changes",
        "Passed to the right team for action",
        "Refund confirmed",
        "Customer satisfied; no further action",
        "Information sent; customer deciding",
        "Customer thanked us for the quick reply",
        "Order updated and confirmed with the customer",
        "Written copy sent as requested",
    ),
    internal_requests={
        "Finance": (
            (
                "Asked for the list of refunds agreed this week",
                "Sent the weekly refund list with order numbers and amounts",
            ),
            (
                "Asked us to chase unpaid trade invoice {ref}",
                "Called the customer about invoice {ref} and agreed payment by {date}",
            ),
            (
                "Queried a refund of {amount} with no order number",
                "Found the order number and sent it to Finance",
            ),
        ),
        "Warehouse and Delivery": (
            (
                "Asked us to confirm the access details for order {ref}",
                "Checked with the customer and added the access notes to order {ref}",
            ),
            (
                "Asked us to rebook deliveries cancelled because a van broke down",
                "Contacted the customers and rebooked their deliveries for {date}",
            ),
            (
                "Asked for a working phone number for a failed delivery",
                "Checked the record with the customer and passed on the correct number",
            ),
        ),
        "Stores": (
            (
                "Asked whether order {ref} is ready for click-and-collect",
                "Confirmed the order is ready and told the customer",
            ),
            (
                "Asked us to call a customer about a shop return of the {item}",
                "Called the customer and confirmed the refund",
            ),
        ),
        "Buying": (
            (
                "Asked how many complaints we have had about the {item}",
                "Sent the number of complaints and the faults reported",
            ),
            (
                "Asked for photos of a damaged {item} returned by a customer",
                "Asked the customer for photos and forwarded them",
            ),
        ),
        "Marketing": (
            (
                "Asked for this month's customer feedback themes",
                "Sent a summary of the top five feedback themes",
            ),
            (
                "Asked for customer quotes for the website",
                "Sent three quotes from customers who agreed to be named",
            ),
            (
                "Asked how many customers opted out of email marketing last month",
                "Sent the number of opt-outs from the CRM",
            ),
        ),
        "HR": (
            ("Asked for the team's holiday plan for {date}", "Sent the holiday plan"),
            (
                "Asked us to check the phone numbers on the staff list",
                "Checked and sent the corrected numbers",
            ),
        ),
        "IT Support": (
            (
                "Asked for examples of when the live chat dropped",
                "Sent the times and order numbers of the dropped chats",
            ),
            (
                "Asked us to test the new returns form on the website",
                "Tested the form and reported two problems",
            ),
        ),
    },
    internal_outbound={
        "Finance": (
            "Asked Finance to approve a refund of {amount} for order {ref}",
            "Asked Finance for a copy of trade invoice {ref}",
        ),
        "Warehouse and Delivery": (
            "Asked the Warehouse to check where order {ref} is",
            "Asked the Warehouse to add access notes to order {ref}",
        ),
        "Stores": (
            "Asked Stores to hold the {item} for a customer until {date}",
            "Asked Stores whether the {item} is on display",
        ),
        "Buying": (
            "Asked Buying whether the {item} will be restocked",
            "Reported a run of faulty {item} returns to Buying",
        ),
        "Marketing": (
            "Sent Marketing this month's feedback themes",
            "Asked Marketing to correct the price of the {item} on the website",
        ),
        "HR": (
            "Asked HR about booking complaint-handling training",
            "Sent HR the team's signed timesheets",
        ),
        "IT Support": (
            "Reported to IT Support that the CRM search is slow",
            "Asked IT Support to fix the live chat, which keeps disconnecting",
        ),
    },
    supplier_kinds=(
        ("Packaging supplier", "Packaging"),
        ("Courier company", "Couriers"),
        ("Furniture manufacturer", "Furniture"),
        ("Textile wholesaler", "Textiles"),
        ("Cleaning contractor", "Cleaning Services"),
        ("Van hire and maintenance firm", "Van Hire"),
    ),
    needs=(
        "Needs delivery before {date} for a house move",
        "Lives in a second-floor flat with no lift: needs a two-person team to carry the {item}",
        "Uses a screen reader: needs emails in plain text, with nothing shown only in images",
        "Hard of hearing: needs contact by email or text message, not phone calls",
        "Needs the {item} to fit a 70 cm alcove, so needs exact measurements before ordering",
        "Needs written confirmation of any refund for their records",
        "Needs large-print copies of the returns form and delivery notes",
        "Cares for a relative: needs the driver to ring 30 minutes before arriving",
        "Needs the old mattress taken away when the new one is delivered",
        "Has a latex allergy: needs to know what the {item} is made of before ordering",
        "Works early shifts: needs deliveries after 3pm on weekdays",
        "Cannot get to a shop: needs a courier collection to return the {item}",
    ),
    business_needs=(
        "Needs a VAT invoice with the company name and purchase order number on every order",
        "Furnishes rented homes: needs fire-safety labels on all upholstered items",
        "Needs deliveries to the site before 10am, when the loading bay is free",
        "Needs one monthly statement for all orders",
        "Needs confirmed stock numbers before quoting their own clients",
    ),
    preferences=(
        "Prefers calls after 4pm",
        "Likes to be addressed by first name",
        "Prefers 'Dr {last_name}' in letters",
        "Prefers email to phone calls",
        "Would rather collect from the shop than have a delivery",
        "Likes a text when the van is on its way",
        "Prefers morning delivery slots",
        "Prefers not to receive the paper catalogue",
        "Likes to hear about new bedding ranges first",
        "Prefers to deal with the same adviser each time",
        "Prefers short emails with the key facts first",
        "Prefers live chat to phone calls",
    ),
    segment_weights={"new": 0.2, "regular": 0.45, "key_account": 0.1, "at_risk": 0.25},
    business_share=0.25,
    channel_weights={
        "email": 0.36,
        "phone": 0.28,
        "live_chat": 0.18,
        "social": 0.1,
        "letter": 0.03,
        "meeting": 0.05,
    },
    colleague_job_titles={
        "Finance": ("Finance Manager", "Accounts Assistant", "Credit Controller"),
        "Warehouse and Delivery": (
            "Warehouse Manager",
            "Delivery Planner",
            "Van Driver",
            "Warehouse Operative",
        ),
        "Stores": ("Head of Stores", "Store Manager", "Assistant Store Manager", "Sales Assistant"),
        "Buying": ("Head of Buying", "Buyer", "Merchandise Assistant"),
        "Marketing": ("Marketing Manager", "Social Media Officer", "Marketing Assistant"),
        "HR": ("HR Manager", "HR Adviser", "HR Assistant"),
        "IT Support": ("IT Manager", "IT Support Technician", "Web Developer"),
    },
    team=("Amira Hussain", "Ben Carter", "Chloe Evans", "Tom Whitfield", "Grace Adeyemi"),
    business_kinds=(
        ("{last_name} Interiors Ltd", ("Owner", "Interior Designer", "Purchasing Manager")),
        ("{last_name} Lettings", ("Lettings Manager", "Property Manager", "Owner")),
        ("{town} Holiday Cottages", ("Owner", "Housekeeping Manager")),
        ("The {last_name} Cafe", ("Owner", "Manager")),
        ("{last_name} Design Studio", ("Interior Designer", "Studio Manager")),
        ("{town} Guest House", ("Owner", "Manager")),
    ),
    contact_notes=(
        "Customer since 2021",
        "Usually orders in January and September",
        "Has a second address in Cornwall: check which one before delivery",
        "Long-standing customer of the Exeter shop",
        "Paid by bank transfer last time",
        "Moved house last year",
    ),
    business_notes=(
        "Trade account since 2021 (10% trade discount)",
        "Trade credit limit £2,000; invoices due in 30 days",
        "Orders for several properties: check the delivery address every time",
        "Account reviewed each January",
    ),
    reference_prefix="HV",
    email_domain="harbourvine-homestores.co.uk",
    phone_prefix="0117 496 0",
    address="Harbour & Vine House, 14 Quayside Walk, Bristol",
    postcode="BS1 4RN",
    other_contacts=OTHER_CONTACTS,
    complaint_details=RETAIL_COMPLAINT_DETAILS,
    complaint_causes=RETAIL_COMPLAINT_CAUSES,
    internal_complaints=RETAIL_INTERNAL_COMPLAINTS,
    feedback=RETAIL_FEEDBACK,
    email_reply_within=(1, DAYS),
)


LEISURE_COMPLAINT_DETAILS = {
    "Booking or cancellation": (
        "They arrived for the session and were turned away because it showed as full.",
        "They had the confirmation email on their phone but reception could not find the booking.",
        "They want the session credited back to their account.",
    ),
    "Membership fees and direct debits": (
        "They say nobody from the centre told them about this.",
        "The payment has left them short this month and they want it back straight away.",
        "They say they were not told about the price change before the payment was taken.",
    ),
    "Cleanliness": (
        "They saw hair and plasters on the floor and the bins were overflowing.",
        "They say it has been like this on several weekend visits.",
        "They were with young children and felt it was unhygienic.",
    ),
    "Swimming lessons": (
        "Their child was upset at the first lesson in the new group.",
        "They found out only when they arrived at the pool.",
        "They would like to be told before any change in future.",
    ),
    "Staff attitude": (
        "They say the member of staff shouted across the pool in front of other swimmers.",
        "They felt the member of staff was dismissive when they asked for help.",
        "They would like an apology and to know what will be done.",
    ),
    "Facilities out of order": (
        "There was no sign to warn swimmers before they got changed.",
        "They reported it at reception last week and nothing has changed.",
        "They want a partial refund for the week.",
    ),
    "Accessibility": (
        "They travelled 40 minutes by taxi for their swim and could not get into the pool.",
        "They need the hoist to use the pool at all.",
        "They asked to be phoned in future if it is out of use.",
    ),
    "Timetable changes": (
        "The change was only put up on the notice board, not emailed.",
        "The new time clashes with their work, so they can no longer go.",
        "They have been coming to the class for three years.",
    ),
}
LEISURE_COMPLAINT_CAUSES = {
    "Booking or cancellation": (
        (
            "A fault in the booking app released the place when the customer's card payment was "
            "slow.",
            "The app has been fixed; reception now checks the booking history before turning "
            "anyone away.",
        ),
        (
            "The session was double-booked because a walk-in booking was taken on paper.",
            "Reception books walk-ins through the same system as the app.",
        ),
    ),
    "Membership fees and direct debits": (
        (
            "The cancellation email was not passed from the general inbox to the Council Income "
            "Team.",
            "Cancellation emails are forwarded the same working day and logged in the CRM.",
        ),
        (
            "The concession end date was entered wrongly, so the discount ended early.",
            "Concession dates are checked by a second person when they are entered.",
        ),
    ),
    "Cleanliness": (
        (
            "The hourly cleaning check was missed on Saturday morning because a cleaner was off "
            "sick and not replaced.",
            "The Duty Manager arranges cover for cleaning at weekends and signs the check sheet.",
        ),
        (
            "The changing room check sheet was signed without the check being done.",
            "Duty Managers spot-check the changing rooms twice each shift.",
        ),
    ),
    "Swimming lessons": (
        (
            "Assessment results were not sent to parents before the groups changed.",
            "Parents are emailed the assessment result a week before a child moves group.",
        ),
        (
            "The teacher changed the groups without telling reception.",
            "Group changes are agreed with the lessons coordinator and emailed to parents.",
        ),
    ),
    "Staff attitude": (
        (
            "The lifeguard was new and had not yet had customer service training.",
            "All new pool staff have customer service training in their first week.",
        ),
        (
            "The member of staff was dealing with two incidents at once and did not explain why.",
            "Staff have been reminded to explain delays and to call a colleague for help.",
        ),
    ),
    "Facilities out of order": (
        (
            "A part for the boiler took a week to arrive and no warning signs were put up.",
            "Facilities put up signs and update the website the same day something breaks.",
        ),
        (
            "The fault was reported at reception but not logged with Facilities.",
            "Faults reported at reception are logged on the maintenance system straight away.",
        ),
    ),
    "Accessibility": (
        (
            "The hoist failed its safety check and nobody told the customers who rely on it.",
            "We keep a list of customers who use the hoist and phone them when it is out of use.",
        ),
        (
            "The hoist battery was not charged overnight.",
            "Charging the hoist is now on the closing checklist.",
        ),
    ),
    "Timetable changes": (
        (
            "The change was announced only on the notice board and social media.",
            "Timetable changes are emailed to everyone booked on the class at least two weeks "
            "before.",
        ),
        (
            "The instructor's hours changed at short notice.",
            "Marketing and Events now agree timetable changes a month ahead.",
        ),
    ),
}
LEISURE_INTERNAL_COMPLAINTS = (
    {
        "department": "Swimming Lessons",
        "category": "Swimming lessons",
        "description": "The Swimming Lessons coordinator says parents were told lessons were "
        "full when places were free, so the new term started with empty spaces.",
        "response": "Apologised, checked the live lesson list and agreed to use it for every "
        "enquiry",
        "root_cause": "Customer Services used a printed lesson list that was a week old.",
        "lesson": "Customer Services uses the live lesson list in the booking system for every "
        "enquiry.",
    },
    {
        "department": "Council Income Team",
        "category": "Membership fees and direct debits",
        "description": "The Council Income Team says cancellation requests were passed on "
        "without the member's number, so three direct debits were taken after members had "
        "cancelled.",
        "response": "Sent the missing member numbers and agreed to use the cancellation form",
        "root_cause": "Cancellation requests were forwarded as emails without the member number.",
        "lesson": "All cancellations go on the cancellation form with the member number checked.",
    },
    {
        "department": "Facilities and Maintenance",
        "category": "Facilities out of order",
        "description": "Facilities and Maintenance say fault reports from reception come "
        "without the location or time, so the engineer had to walk round the building to find "
        "a broken shower.",
        "response": "Apologised and agreed to include the location, time and a photo in every "
        "fault report",
        "root_cause": "Reception staff had no template for fault reports.",
        "lesson": "Fault reports use a template with the location, the time and a photo.",
    },
)
LEISURE_FEEDBACK = {
    "team": "Customer Services",
    "service": "the leisure centre, its classes and our booking service",
    "contact_options": ("Phone", "Email", "At reception", "Social media", "The booking app"),
    "factors": (
        "Price of membership",
        "Clean changing rooms",
        "The class timetable",
        "Friendly staff",
        "Pool opening times",
        "Easy online booking",
        "Parking",
    ),
    "card": {
        "title": "Reception comment cards",
        "purpose": "Comment cards at reception and in the pool café, so visitors can tell us "
        "about their visit on the day.",
        "question": "How was your visit to the centre today?",
    },
    "suggestion": {
        "title": "Suggestion box (reception)",
        "purpose": "A suggestion box in the reception area: members' and visitors' ideas for "
        "the centre.",
    },
    "welcome": "How easy was it to join and book your first session?",
    "lapsed_reasons": (
        "Price",
        "Class times do not suit me",
        "Cleanliness",
        "Too busy at the times I can come",
        "Health or personal reasons",
        "Other",
    ),
    "key_offers": (
        "Block booking discounts",
        "A named contact for bookings",
        "Invoices by email",
        "Earlier notice of timetable changes",
        "Priority booking for school holidays",
    ),
}


LEISURE = Profile(
    key="leisure",
    name="Millbrook Leisure Centre",
    sector="Leisure (council-run sports centre)",
    description=(
        "Millbrook Leisure Centre is run by Millbrook District Council. It has a 25-metre pool, "
        "a learner pool, a gym, a sports hall and two studios, used by about 3,000 members, "
        "local schools, sports clubs and pay-as-you-go visitors. The customer services office "
        "takes bookings, memberships and enquiries at reception and by phone, email and social "
        "media."
    ),
    learner_role="Customer Services Administrator in the centre's customer services office",
    working_days=(1, 2, 3, 4, 5, 6),
    opens_at="08:00",
    closes_at="20:00",
    departments=(
        {
            "name": "Swimming Lessons",
            "head": "Karen Doyle",
            "relies_on_you_for": "Accurate lesson bookings and waiting lists, and parents' "
            "messages about their child's stage passed on the same day",
        },
        {
            "name": "Gym and Fitness",
            "head": "Jordan Mensah",
            "relies_on_you_for": "Up-to-date membership details, and health questionnaires "
            "kept securely and passed only to the right instructor",
        },
        {
            "name": "Facilities and Maintenance",
            "head": "Stuart Kerr",
            "relies_on_you_for": "Faults reported by customers (showers, lockers, lighting) "
            "logged with the exact place and time",
        },
        {
            "name": "Council Income Team",
            "head": "Lorraine Fisher",
            "relies_on_you_for": "Direct debit changes, cancellations and refund requests sent "
            "with the member number and reason",
        },
        {
            "name": "Marketing and Events",
            "head": "Nadia Rahman",
            "relies_on_you_for": "Customer comments about classes and events, and an accurate "
            "list of who agreed to receive newsletters",
        },
        {
            "name": "Duty Managers",
            "head": "Paul Griffiths",
            "relies_on_you_for": "Incidents, safeguarding concerns and stage 2 complaints "
            "passed on straight away with the details recorded",
        },
        {
            "name": "Council HR",
            "head": "Irene Walsh",
            "relies_on_you_for": "Rota changes, sickness reports and updates to staff details",
        },
    ),
    policies={
        "charter": (
            "Our customer service promises\n"
            "- We answer the phone within 30 seconds while the office is open.\n"
            "- We reply to emails and social media messages within 2 working days.\n"
            "- We process membership cancellations within 3 working days and confirm them in "
            "writing.\n"
            "- We tell you at least 2 hours before if a class or lesson is cancelled.\n"
            "- Changing rooms are checked every hour; a reported problem is dealt with within "
            "1 hour.\n"
            "- We acknowledge complaints within 4 working hours and respond within 5 working "
            "days."
        ),
        "returns": (
            "Cancellations and refunds\n"
            "- Monthly memberships: cancel with one month's notice in writing or by email; the "
            "last direct debit is taken in the notice month.\n"
            "- Annual memberships: a full refund within 14 days of joining. After that, a "
            "pro-rata refund only for medical reasons (with a GP letter) or moving more than "
            "10 miles away.\n"
            "- Pay-as-you-go bookings: cancel at least 24 hours before for a full refund or "
            "credit; later cancellations are not refunded.\n"
            "- Swimming lessons are paid by the term. Refunds only if we cancel lessons or for "
            "medical reasons, as credit towards the next term.\n"
            "- If we close the pool or cancel a class, you get a full refund or credit "
            "automatically.\n"
            "- Refunds go back to the card or bank account used, within 10 working days."
        ),
        "data_protection": (
            "Data protection (UK GDPR and the Data Protection Act 2018)\n"
            "- Millbrook District Council is the data controller for the centre's customer "
            "records.\n"
            "- Record only what we need: contact details, membership and booking history, and "
            "needs the customer has agreed we can note.\n"
            "- Health questionnaires are special category data: kept in the gym system, seen "
            "only by instructors, never copied into general notes.\n"
            "- Children's details come from a parent or guardian; photos of children only with "
            "written consent.\n"
            "- Newsletters and offers go only on channels the customer agreed to (email, phone, "
            "post and text are recorded separately). Messages about bookings are service "
            "messages.\n"
            "- Staff details in the CRM are personal data too and are protected the same way.\n"
            "- Records are kept for 2 years after membership ends, then deleted; accident "
            "reports for 3 years (children's until they turn 21).\n"
            "- Report a data breach to the Duty Manager at once: the council must tell the ICO "
            "within 72 hours if needed."
        ),
        "complaints": (
            "How we handle complaints\n"
            "1. Stage 1 (front-line resolution): the Customer Services Administrator logs the "
            "complaint, acknowledges it within 4 working hours and aims to put it right within "
            "5 working days.\n"
            "2. Stage 2 (supervisor review): if the customer is not satisfied, the complaint is "
            "about a member of staff, a refund over £50 is asked for, or someone was hurt, the "
            "Duty Manager reviews it and responds within 10 working days.\n"
            "3. Stage 3 (manager review): the Leisure Centre Manager gives the council's final "
            "response within 20 working days.\n"
            "4. If the customer is still unhappy they can ask the Local Government and Social "
            "Care Ombudsman to look at it.\n"
            "Log every complaint in the CRM with its category, each contact and the outcome."
        ),
    },
    complaints_procedure=_procedure(
        levels=(
            ("Customer Services Administrator", (4, HOURS), (5, DAYS)),
            ("Duty Manager", (1, DAYS), (10, DAYS)),
            ("Leisure Centre Manager", (2, DAYS), (20, DAYS)),
            ("Local Government and Social Care Ombudsman", None, None),
        ),
        escalate_when=(
            "the customer is not satisfied with the stage 1 response",
            "the complaint is about a member of staff",
            "a refund or compensation over £50 is asked for",
            "someone was injured, or there is a safeguarding concern (tell the Duty Manager "
            "straight away)",
        ),
        categories=(
            "Booking or cancellation",
            "Membership fees and direct debits",
            "Cleanliness",
            "Swimming lessons",
            "Staff attitude",
            "Facilities out of order",
            "Accessibility",
            "Timetable changes",
        ),
    ),
    products_or_services=(
        "monthly gym membership",
        "family swim membership",
        "junior swimming lessons",
        "adult swimming lessons",
        "badminton court booking",
        "sports hall hire",
        "spin class",
        "aqua aerobics class",
        "pool party package",
        "holiday activity camp",
        "over-60s pass",
        "concession membership",
        "climbing wall induction",
        "studio hire",
        "personal training session",
    ),
    interaction_topics={
        "inbound": (
            (
                "Asked about the waiting list for junior swimming lessons",
                "Gave the waiting list position and the next start date, {date}",
            ),
            (
                "Asked to freeze their membership for a month after an operation",
                "Froze the membership from {date} and confirmed it in writing",
            ),
            (
                "Asked to cancel their {item}",
                "Confirmed the cancellation and the last payment date, {date}",
            ),
            (
                "Asked which stage their child should join for swimming lessons",
                "Booked a free assessment in the pool on {date}",
            ),
            (
                "Asked whether the pool has a hoist for wheelchair users",
                "Confirmed the pool hoist and accessible changing room and gave booking details",
            ),
            (
                "Asked to book the sports hall for a birthday party",
                "Sent the booking form and price for the sports hall on {date}",
            ),
            (
                "Asked why {amount} was taken by direct debit twice",
                "Checked with the Income Team and confirmed a refund of {amount}",
            ),
            (
                "Asked about prices for the {item}",
                "Sent the price list, including concession rates",
            ),
            (
                "Asked whether the gym has women-only sessions",
                "Sent the timetable showing the women-only sessions",
            ),
            (
                "Asked for a replacement membership card",
                "Ordered a replacement card to collect from reception",
            ),
            (
                "Reported losing a bag in the changing rooms",
                "Checked lost property; the bag had been handed in and is at reception",
            ),
            (
                "Asked to change the bank details for their direct debit",
                "Sent the secure direct debit form (we never take bank details by email)",
            ),
            (
                "Asked how to book {item} online",
                "Talked the customer through the booking app and confirmed a booking for {date}",
            ),
            (
                "Asked whether the climbing wall has a minimum age",
                "Explained the minimum age of 8 and the induction needed",
            ),
            (
                "Asked about the timetable over the school holidays",
                "Sent the holiday timetable and booking dates for {item}",
            ),
            (
                "Asked whether a carer can come in free with a disabled member",
                "Confirmed carers go free and added a note to the membership",
            ),
        ),
        "outbound_proactive": (
            "Told the customer the spin class on {date} is cancelled because the instructor is ill",
            "Reminded the customer that their membership renews on {date}",
            "Invited the customer back with a free guest pass after three months without a visit",
            "Asked for feedback on the {item}",
            "Told the customer a place has come up in a Saturday swimming lesson",
            "Reminded the customer that the pool closes early on {date} for a swimming gala",
            "Sent the customer's end-of-term swimming report",
            "Let the customer know summer holiday camp booking opens on {date}",
            "Checked the customer was happy with their gym induction",
            "Reminded the customer that their concession proof needs renewing by {date}",
            "Offered the customer a place at the aqua aerobics taster session",
            "Told the customer about the new accessible changing room",
            "Confirmed the customer's marketing choices after the new data form",
            "Followed up the customer's comment card about the {item}",
            "Let the customer know about sports hall maintenance on {date}",
        ),
        "complaint": (
            (
                "Booking or cancellation",
                "Complained that their class booking disappeared from the app",
                "Apologised, reinstated the booking for {date} and reported the app fault",
            ),
            (
                "Membership fees and direct debits",
                "Complained about being charged {amount} after cancelling",
                "Refunded {amount} and confirmed the direct debit is cancelled",
            ),
            (
                "Cleanliness",
                "Complained that the changing rooms were dirty on Saturday morning",
                "Apologised, explained the hourly cleaning checks and shared the complaint "
                "with Facilities",
            ),
            (
                "Swimming lessons",
                "Complained that their child was moved up a stage without being told",
                "Apologised for not telling them, explained the assessment and arranged a "
                "chat with the teacher",
            ),
            (
                "Staff attitude",
                "Complained that a lifeguard spoke rudely to their child",
                "Apologised and passed it to the Duty Manager to speak to the lifeguard",
            ),
            (
                "Facilities out of order",
                "Complained that the showers had been cold for a week",
                "Apologised, confirmed the boiler is repaired and added a free guest pass",
            ),
            (
                "Accessibility",
                "Complained that the pool hoist was out of use with no warning",
                "Apologised, confirmed the repair date, {date}, and agreed to warn them of "
                "future faults",
            ),
            (
                "Timetable changes",
                "Complained that the aqua aerobics class time changed without notice",
                "Apologised and explained how class changes will be announced in future",
            ),
            (
                "Membership fees and direct debits",
                "Complained that their concession discount was removed",
                "Checked the proof, restored the discount and refunded {amount}",
            ),
            (
                "Booking or cancellation",
                "Complained that their sports hall booking was double-booked",
                "Apologised, refunded {amount} and offered another date, {date}",
            ),
        ),
        "supplier_inbound": SUPPLIER_INBOUND,
        "supplier_outbound": SUPPLIER_OUTBOUND,
    },
    outcomes=(
        "Resolved at first contact",
        "Customer happy with the answer",
        "Booking confirmed",
        "Passed to the right team for action",
        "Refund confirmed",
        "Customer satisfied; no further action",
        "Information sent; customer deciding",
        "Membership record updated",
        "Customer thanked us for the help",
        "Written confirmation sent as requested",
    ),
    internal_requests={
        "Swimming Lessons": (
            (
                "Asked us to contact parents on the waiting list for swimming lessons",
                "Contacted the parents and sent back the confirmed list",
            ),
            (
                "Asked how many children are waiting for lessons",
                "Sent the waiting list numbers by stage",
            ),
        ),
        "Gym and Fitness": (
            (
                "Asked us to book inductions for new members",
                "Booked the inductions and sent the list",
            ),
            (
                "Asked which members have not returned a health questionnaire",
                "Sent the list through the secure shared folder",
            ),
        ),
        "Facilities and Maintenance": (
            (
                "Asked for details of the shower fault customers reported",
                "Sent the location, times and number of reports",
            ),
            (
                "Asked us to tell customers about the pool closure on {date}",
                "Added a notice to the website and told everyone booked that day",
            ),
        ),
        "Council Income Team": (
            (
                "Asked for the reasons for this month's cancellations",
                "Sent the cancellation reasons from the CRM",
            ),
            (
                "Asked us to check a member's address after a failed direct debit",
                "Checked the address with the member and updated it",
            ),
            (
                "Asked us to confirm refund {ref} with the customer",
                "Confirmed the refund with the customer",
            ),
        ),
        "Marketing and Events": (
            (
                "Asked for customer comments about the {item}",
                "Sent a summary of customer comments",
            ),
            (
                "Asked how many members agreed to receive newsletters",
                "Sent the number from the CRM consent records",
            ),
        ),
        "Duty Managers": (
            (
                "Asked for the details of a complaint escalated to stage 2",
                "Sent the complaint record and every contact so far",
            ),
            (
                "Asked us to cover reception from 5pm to 6pm on {date}",
                "Agreed the cover and added it to the rota",
            ),
        ),
        "Council HR": (
            ("Asked for the team's training records", "Sent the training records"),
            (
                "Asked us to update our emergency contact details",
                "Updated and sent the details",
            ),
        ),
    },
    internal_outbound={
        "Swimming Lessons": (
            "Asked the lessons team for a place for a child in a Saturday lesson",
            "Passed a parent's question about their child's stage to the lessons team",
        ),
        "Gym and Fitness": (
            "Asked Gym and Fitness to call a member about their induction",
            "Passed a member's question about the {item} to the instructors",
        ),
        "Facilities and Maintenance": (
            "Reported a broken locker in the changing rooms to Facilities",
            "Reported a cold shower in the family changing area to Facilities",
        ),
        "Council Income Team": (
            "Asked the Income Team to refund {amount} for a cancelled booking",
            "Asked the Income Team to check a missing direct debit payment",
        ),
        "Marketing and Events": (
            "Sent Marketing this month's feedback themes",
            "Asked Marketing to correct the price of the {item} on the website",
        ),
        "Duty Managers": (
            "Passed a stage 2 complaint to the Duty Manager",
            "Told the Duty Manager about a customer's accident report",
        ),
        "Council HR": (
            "Asked Council HR about customer service training",
            "Sent Council HR the team's overtime sheet",
        ),
    },
    supplier_kinds=(
        ("Pool chemicals supplier", "Pool Chemicals"),
        ("Cleaning contractor", "Cleaning Services"),
        ("Gym equipment maintenance firm", "Fitness Engineering"),
        ("Vending machine operator", "Vending"),
        ("Lifeguard training provider", "Aquatic Training"),
        ("Printing firm", "Print"),
    ),
    needs=(
        "Uses a wheelchair: needs the pool hoist and accessible changing room ready when they swim",
        "Needs a lesson time after 4pm because their child is at school until 3.30pm",
        "Is deaf: needs information by email or text, not phone calls",
        "Needs their carer to come in free with them (carer's card seen)",
        "Needs a refund before {date} because they are moving away",
        "Has epilepsy: needs the lifeguards told when they swim (agreed with the customer)",
        "Needs the booking confirmed in writing for their employer's health scheme",
        "Needs a quiet session for their autistic son",
        "Needs written proof of membership for a GP exercise referral",
        "Needs to pay monthly rather than yearly",
    ),
    business_needs=(
        "Needs the sports hall every Tuesday 6pm to 8pm for the whole season",
        "Needs invoices addressed to the school business manager with a purchase order number",
        "Needs lifeguard cover confirmed in writing for every school swimming session",
        "Needs a copy of the centre's risk assessment for junior sessions",
    ),
    preferences=(
        "Prefers calls after 5pm",
        "Likes to be addressed by first name",
        "Prefers the 7am swim slot",
        "Prefers email to letters",
        "Likes to book through the app rather than at reception",
        "Prefers the same swimming teacher for their child",
        "Prefers text reminders the day before",
        "Prefers not to get the monthly newsletter",
        "Prefers to pay at reception",
        "Prefers 'Dr {last_name}' in letters",
    ),
    segment_weights={"new": 0.2, "regular": 0.5, "key_account": 0.08, "at_risk": 0.22},
    business_share=0.2,
    channel_weights={
        "phone": 0.3,
        "email": 0.28,
        "meeting": 0.17,
        "social": 0.15,
        "letter": 0.05,
        "live_chat": 0.05,
    },
    colleague_job_titles={
        "Swimming Lessons": ("Swimming Lessons Coordinator", "Swimming Teacher", "Lifeguard"),
        "Gym and Fitness": ("Fitness Manager", "Gym Instructor", "Personal Trainer"),
        "Facilities and Maintenance": (
            "Facilities Manager",
            "Maintenance Technician",
            "Cleaning Supervisor",
        ),
        "Council Income Team": ("Income Team Manager", "Income Officer", "Finance Assistant"),
        "Marketing and Events": ("Marketing and Events Manager", "Events Assistant"),
        "Duty Managers": ("Senior Duty Manager", "Duty Manager"),
        "Council HR": ("HR Business Partner", "HR Assistant"),
    },
    team=("Sian Roberts", "Kyle Thompson", "Fatima Begum", "Luke Harrison"),
    business_kinds=(
        ("{town} Primary School", ("PE Coordinator", "School Business Manager", "Head Teacher")),
        ("{town} Swimming Club", ("Club Secretary", "Head Coach", "Welfare Officer")),
        ("{town} Badminton Club", ("Club Secretary", "Treasurer")),
        ("{last_name} Engineering Ltd", ("HR Manager", "Office Manager")),
        ("{town} Scout Group", ("Group Scout Leader", "Treasurer")),
        ("{town} Netball League", ("League Secretary", "Treasurer")),
    ),
    contact_notes=(
        "Member since 2019",
        "Family membership (two adults, two children)",
        "Concession: over-60s",
        "GP exercise referral member",
        "Swims most weekday mornings",
        "Child in swimming lessons (Stage 4)",
    ),
    business_notes=(
        "Regular block booking, invoiced termly",
        "Corporate membership scheme for staff",
        "Books the pool for school swimming on weekday mornings",
        "Safeguarding lead details checked this year",
    ),
    reference_prefix="MLC",
    email_domain="millbrookleisure.org.uk",
    phone_prefix="0114 496 0",
    address="Millbrook Leisure Centre, Station Road, Millbrook, Sheffield",
    postcode="S35 2PH",
    other_contacts=OTHER_CONTACTS,
    complaint_details=LEISURE_COMPLAINT_DETAILS,
    complaint_causes=LEISURE_COMPLAINT_CAUSES,
    internal_complaints=LEISURE_INTERNAL_COMPLAINTS,
    feedback=LEISURE_FEEDBACK,
    email_reply_within=(2, DAYS),
)


HOUSING_COMPLAINT_DETAILS = {
    "Repairs delays": (
        "They have taken time off work for appointments that did not go ahead.",
        "They have young children at home and say the problem is getting worse.",
        "They want compensation under the repairs policy.",
    ),
    "Damp and mould": (
        "The mould is back on the bedroom wall and a child in the home has asthma.",
        "They sent photos of black mould around the window and on the ceiling.",
        "They asked for a permanent fix, not another treatment.",
    ),
    "Anti-social behaviour handling": (
        "They have reported the noise five times since the autumn and kept a diary.",
        "They say they are losing sleep and feel nobody is listening.",
        "They want to know what action has been taken.",
    ),
    "Rent and service charges": (
        "They say the stairs have not been cleaned for months.",
        "They were not sent a breakdown of the charge when they asked for one.",
        "They want the charge refunded to their rent account.",
    ),
    "Staff or contractor conduct": (
        "They say dust and rubbish were left in the hallway.",
        "They felt the operative was rude when they asked when the job would be finished.",
        "They do not want the same operative to come back.",
    ),
    "Communication": (
        "They have rung four times and were promised a call back each time.",
        "They were given different information by different people.",
        "They want one named person to deal with.",
    ),
    "Communal areas": (
        "Rubbish is attracting rats and the smell reaches the flats.",
        "They say the smell is so bad they keep their windows shut.",
        "Other residents have complained about it too.",
    ),
    "Lettings and transfers": (
        "They need a ground-floor home because of a health condition and sent a letter from "
        "their GP.",
        "They have heard nothing since applying four months ago.",
        "They want to know their banding and where they are on the list.",
    ),
}
HOUSING_COMPLAINT_CAUSES = {
    "Repairs delays": (
        (
            "The part was ordered late because the job was booked as routine instead of urgent.",
            "The Repairs Team checks the priority of every job when it is booked and orders "
            "parts the same day.",
        ),
        (
            "The contractor cancelled the appointment and the tenant was not told.",
            "Contractors must tell us of a cancellation by 8am, and we ring the tenant straight "
            "away.",
        ),
    ),
    "Damp and mould": (
        (
            "The last treatment dealt with the mould but not the cause: a blocked extractor fan.",
            "Every damp and mould report now gets a ventilation check as well as treatment.",
        ),
        (
            "The report was logged as a routine repair instead of a health risk.",
            "Damp and mould reports are treated as urgent and surveyed within 10 working days.",
        ),
    ),
    "Anti-social behaviour handling": (
        (
            "The case was not handed over when the housing officer changed.",
            "Open cases are handed over in writing and the tenant is told who the new officer is.",
        ),
        (
            "The tenant's diary sheets were not added to the case file.",
            "Evidence sent in by tenants is added to the case on the day it arrives.",
        ),
    ),
    "Rent and service charges": (
        (
            "The cleaning contractor's visits were not checked against the service charge.",
            "Housing Management checks the contractor's visit records every month.",
        ),
        (
            "The charge was set from an old estimate.",
            "Service charges are set from the actual costs of the year before.",
        ),
    ),
    "Staff or contractor conduct": (
        (
            "The contractor did not follow our code of conduct on clearing up after work.",
            "The code of conduct has been sent again to all contractors, and jobs are checked "
            "after completion.",
        ),
        (
            "The operative had too many jobs booked and was under time pressure.",
            "The number of jobs booked per operative each day has been reduced.",
        ),
    ),
    "Communication": (
        (
            "Call-back requests were not logged in the CRM, so nobody followed them up.",
            "Every call-back request is logged as a follow-up in the CRM with a date.",
        ),
        (
            "Different teams gave updates without checking the repair record.",
            "Staff check the repair record before giving a tenant any update.",
        ),
    ),
    "Communal areas": (
        (
            "The cleaning contractor missed two visits and did not report it.",
            "The contractor now sends a photo log of each visit.",
        ),
        (
            "The light fault was reported but logged against the wrong block.",
            "Communal repairs are logged with the block name and address checked.",
        ),
    ),
    "Lettings and transfers": (
        (
            "The medical evidence was received but not added to the application.",
            "Documents for applications are added on the day they arrive and the applicant is "
            "told.",
        ),
        (
            "Applicants were not told how long the waiting list is.",
            "Applicants get a letter with their banding and the typical waiting time.",
        ),
    ),
}
HOUSING_INTERNAL_COMPLAINTS = (
    {
        "department": "Repairs Team",
        "category": "Repairs delays",
        "description": "The Repairs Team say repair requests are passed on without access "
        "details, so operatives arrive and cannot get in.",
        "response": "Apologised and agreed to record access details and a contact number on "
        "every repair request",
        "root_cause": "The repair request form did not ask for access details.",
        "lesson": "The repair request form now asks for access details and a contact number.",
    },
    {
        "department": "Income Team",
        "category": "Rent and service charges",
        "description": "The Income Team say tenants were told their rent account was up to "
        "date without it being checked, and two tenants then fell behind.",
        "response": "Apologised and agreed to check the rent account before giving any balance",
        "root_cause": "Balances were read from an old statement instead of the live rent account.",
        "lesson": "Customer Hub staff always check the live rent account before giving a balance.",
    },
    {
        "department": "Gas and Fire Safety",
        "category": "Communication",
        "description": "Gas and Fire Safety say gas safety appointments are being moved without "
        "telling them, so engineers turn up to empty homes.",
        "response": "Apologised and agreed to copy them into every change to a gas safety "
        "appointment",
        "root_cause": "Appointment changes were made in the CRM but not sent to the Gas and Fire "
        "Safety team.",
        "lesson": "Every change to a gas safety appointment is emailed to Gas and Fire Safety "
        "the same day.",
    },
)
HOUSING_FEEDBACK = {
    "team": "the Customer Hub",
    "service": "our housing and repairs service",
    "contact_options": ("Phone", "Email", "Letter", "At the estate office", "Online form"),
    "factors": (
        "Repairs done right first time",
        "Being kept informed",
        "Value for money of rent and charges",
        "Clean and safe communal areas",
        "Dealing with anti-social behaviour",
        "Friendly, helpful staff",
        "Easy ways to contact us",
    ),
    "card": {
        "title": "Repair satisfaction cards",
        "purpose": "Cards left by operatives after each repair, returned in a freepost envelope.",
        "question": "How satisfied are you with the repair we have just done?",
    },
    "suggestion": {
        "title": "Tenants' suggestion box (estate offices)",
        "purpose": "Suggestion boxes in the estate offices and a form in the tenants' "
        "newsletter: tenants' ideas for their homes and estates.",
    },
    "welcome": "How easy was it to move in and set up your tenancy?",
    "lapsed_reasons": (
        "Repairs take too long",
        "Nobody calls me back",
        "I don't feel listened to",
        "Problems with neighbours",
        "Nothing needed",
        "Other",
    ),
    "key_offers": (
        "Quarterly meetings with the housing officer",
        "A named contact",
        "Updates by text message",
        "Estate walkabouts",
        "Early notice of planned works",
    ),
}


HOUSING = Profile(
    key="housing",
    name="Kestrel Vale Homes",
    sector="Social housing (housing association)",
    description=(
        "Kestrel Vale Homes is a not-for-profit housing association with about 4,500 rented and "
        "shared-ownership homes across three towns in the West Midlands. Tenants contact the "
        "Customer Hub about rent, repairs, anti-social behaviour and changes to their tenancy. "
        "The Customer Hub answers calls, emails, letters and web chat, books repairs and passes "
        "cases to housing officers."
    ),
    learner_role="Customer Hub Administrator in the Customer Hub",
    working_days=(1, 2, 3, 4, 5),
    opens_at="08:30",
    closes_at="17:00",
    departments=(
        {
            "name": "Repairs Team",
            "head": "Gary Holloway",
            "relies_on_you_for": "Repair requests with the exact problem, where it is, access "
            "times and any vulnerability, so the right trade attends first time",
        },
        {
            "name": "Housing Management",
            "head": "Angela Brooks",
            "relies_on_you_for": "Anti-social behaviour reports and tenancy changes logged "
            "accurately and passed to the right housing officer within 1 working day",
        },
        {
            "name": "Income Team",
            "head": "Raj Malhotra",
            "relies_on_you_for": "Payment arrangements and rent questions passed on with the "
            "tenancy reference",
        },
        {
            "name": "Lettings",
            "head": "Claire Donnelly",
            "relies_on_you_for": "Applicants' contact details kept up to date and viewing "
            "appointments confirmed",
        },
        {
            "name": "Gas and Fire Safety",
            "head": "Steve Barlow",
            "relies_on_you_for": "Gas safety check appointments booked, and no-access visits "
            "followed up the same day",
        },
        {
            "name": "HR",
            "head": "Mandy Clarke",
            "relies_on_you_for": "Timesheets, training records and updates to staff details",
        },
    ),
    policies={
        "charter": (
            "Our customer service promises\n"
            "- We answer calls within 60 seconds, Monday to Friday, 8.30am to 5pm.\n"
            "- We attend emergency repairs within 4 hours and make them safe within 24 hours.\n"
            "- We complete routine repairs within 20 working days.\n"
            "- We reply to emails and letters within 3 working days.\n"
            "- We respond to anti-social behaviour reports within 1 working day.\n"
            "- We acknowledge complaints within 2 working days and respond within 10 working "
            "days."
        ),
        "returns": (
            "Refunds, compensation and rechargeable repairs\n"
            "- If your rent account is in credit you can ask for the credit back; we check the "
            "account and pay within 10 working days (housing benefit overpayments go back to "
            "the council).\n"
            "- If we miss a repair appointment without telling you at least 24 hours before, "
            "we pay £20 compensation to your rent account.\n"
            "- If a routine repair takes longer than 20 working days, we pay £5 for each extra "
            "working day, up to £250; more must be agreed at stage 2 or above.\n"
            "- Rechargeable repairs: damage caused on purpose or by neglect is charged to the "
            "tenant; we tell you the cost before the work is done.\n"
            "- Replacement door fobs cost £15; the first replacement after a theft reported to "
            "the police is free."
        ),
        "data_protection": (
            "Data protection (UK GDPR and the Data Protection Act 2018)\n"
            "- Kestrel Vale Homes is the data controller for tenants' and applicants' "
            "records.\n"
            "- Check identity (name, address and date of birth or tenancy reference) before "
            "discussing a tenancy.\n"
            "- Health and vulnerability information is special category data: record it only "
            "with the tenant's agreement and only what the service needs.\n"
            "- We share information about anti-social behaviour with the police or council "
            "only under our information-sharing agreement, and record each time we do.\n"
            "- Newsletters and surveys go only on channels the tenant agreed to (email, phone, "
            "post and text are recorded separately). Messages about rent and repairs are "
            "service messages.\n"
            "- Staff and contractor details are personal data too.\n"
            "- Tenancy files and repair records are kept for 6 years after the tenancy ends; "
            "unsuccessful housing applications for 1 year.\n"
            "- Report any data breach to the Data Protection Officer straight away (72 hours to "
            "tell the ICO)."
        ),
        "complaints": (
            "How we handle complaints (following the Housing Ombudsman's Complaint Handling "
            "Code)\n"
            "1. Stage 1 (front-line resolution): the Customer Hub Administrator logs the "
            "complaint, acknowledges it within 2 working days and responds within 10 working "
            "days.\n"
            "2. Stage 2 (supervisor review): if the tenant is not satisfied, the complaint is "
            "about staff or a contractor, compensation over £250 is asked for, or there is a "
            "risk to health or safety, the Customer Hub Team Leader reviews it and responds "
            "within 20 working days.\n"
            "3. Stage 3 (manager review): the Head of Customer Experience gives our final "
            "response within 20 working days.\n"
            "4. The tenant can then refer the complaint to the Housing Ombudsman Service.\n"
            "Log every complaint in the CRM with its category, each contact and the outcome."
        ),
    },
    complaints_procedure=_procedure(
        levels=(
            ("Customer Hub Administrator", (2, DAYS), (10, DAYS)),
            ("Customer Hub Team Leader", (5, DAYS), (20, DAYS)),
            ("Head of Customer Experience", (5, DAYS), (20, DAYS)),
            ("Housing Ombudsman Service", None, None),
        ),
        escalate_when=(
            "the tenant is not satisfied with the stage 1 response",
            "the complaint is about a member of staff or a contractor",
            "compensation over £250 is asked for",
            "there is a risk to health or safety, such as damp and mould or no heating (raise "
            "an urgent repair straight away as well)",
        ),
        categories=(
            "Repairs delays",
            "Damp and mould",
            "Anti-social behaviour handling",
            "Rent and service charges",
            "Staff or contractor conduct",
            "Communication",
            "Communal areas",
            "Lettings and transfers",
        ),
    ),
    products_or_services=(
        "boiler",
        "kitchen tap",
        "front door lock",
        "bathroom extractor fan",
        "door entry system",
        "guttering",
        "kitchen cupboard door",
        "toilet cistern",
        "radiator",
        "smoke alarm",
        "window latch",
        "garden fence",
        "shower",
        "communal hallway light",
        "stair rail",
    ),
    interaction_topics={
        "inbound": (
            (
                "Reported a faulty {item}",
                "Booked a repair to the {item} for {date} and gave job number {ref}",
            ),
            (
                "Reported no heating or hot water",
                "Raised emergency repair {ref}; an engineer will attend within 4 hours",
            ),
            (
                "Asked when the repair to the {item} will be done",
                "Checked with the Repairs Team and confirmed the appointment on {date}",
            ),
            (
                "Reported damp and mould in a bedroom",
                "Booked a damp and mould inspection for {date} and gave advice in the meantime",
            ),
            (
                "Asked about their rent balance",
                "Explained the rent account balance and the next payment date",
            ),
            (
                "Asked to set up a payment plan for rent arrears",
                "Passed to the Income Team, who agreed a plan of {amount} a week",
            ),
            (
                "Reported noise from a neighbour late at night",
                "Logged an anti-social behaviour report and passed it to the housing officer",
            ),
            (
                "Asked how to apply for a transfer to a bigger home",
                "Sent the transfer application form and explained the banding",
            ),
            (
                "Asked about a mutual exchange",
                "Explained the mutual exchange process and the checks we make",
            ),
            (
                "Asked to add their partner to the tenancy",
                "Explained joint tenancies and booked a meeting with the housing officer on {date}",
            ),
            (
                "Reported that the communal hallway light is out",
                "Raised communal repair {ref}",
            ),
            (
                "Asked to rearrange their gas safety check",
                "Rebooked the gas safety check for {date}",
            ),
            (
                "Asked about the service charge increase",
                "Explained this year's service charge breakdown",
            ),
            (
                "Asked for a level-access shower because of a disability",
                "Explained the adaptations process and the occupational therapist referral",
            ),
            (
                "Reported that the {item} is not working properly",
                "Booked a repair for {date} and explained what to do if it gets worse",
            ),
            (
                "Asked to update their phone number",
                "Updated the phone number and read it back to check it",
            ),
            (
                "Asked for a new fob for the communal door",
                "Ordered a replacement fob ({amount}) and explained how to collect it",
            ),
            (
                "Asked about the garden maintenance service",
                "Explained which gardens are covered and the next visit, on {date}",
            ),
        ),
        "outbound_proactive": (
            "Reminded the tenant that the annual gas safety check is due on {date}",
            "Let the tenant know the repair to the {item} has moved to {date}",
            "Checked the tenant was satisfied with the repair to the {item} (job {ref})",
            "Asked for feedback on the repairs service",
            "Told the tenant about the tenants' meeting on {date}",
            "Let the tenant know about help with energy bills",
            "Followed up a missed gas safety appointment",
            "Reminded the tenant about the rent change from {date}",
            "Invited the tenant to join the residents' panel",
            "Told residents about window cleaning in the block on {date}",
            "Checked on a vulnerable tenant during the cold weather",
            "Confirmed the findings of the damp and mould inspection",
            "Let the tenant know the communal door entry system has been fixed",
            "Reminded the tenant how to report repairs online or by phone",
            "Sent the annual tenant satisfaction survey",
        ),
        "complaint": (
            (
                "Repairs delays",
                "Complained that the {item} repair has been outstanding for six weeks",
                "Apologised, booked the repair for {date} and paid {amount} compensation under "
                "the compensation policy",
            ),
            (
                "Repairs delays",
                "Complained that the engineer did not turn up for job {ref}",
                "Apologised, rebooked job {ref} for a morning slot on {date} and paid £20 "
                "compensation",
            ),
            (
                "Damp and mould",
                "Complained that damp and mould came back after the last treatment",
                "Booked a full survey for {date} and passed it to Repairs as urgent",
            ),
            (
                "Anti-social behaviour handling",
                "Complained that nothing has been done about their noise reports",
                "Explained the action taken so far and arranged a meeting with the housing officer",
            ),
            (
                "Rent and service charges",
                "Complained about a service charge of {amount} for cleaning that did not happen",
                "Checked the cleaning records and credited {amount} to the rent account",
            ),
            (
                "Staff or contractor conduct",
                "Complained that a contractor was rude and left a mess",
                "Apologised and passed it to the Repairs Team manager to investigate",
            ),
            (
                "Communication",
                "Complained that nobody returned their calls about job {ref}",
                "Apologised, gave a named contact and confirmed the repair date, {date}",
            ),
            (
                "Communal areas",
                "Complained that the bin store has not been cleared for two weeks",
                "Arranged a clearance for {date} and raised it with the cleaning contractor",
            ),
            (
                "Lettings and transfers",
                "Complained about how long their transfer application is taking",
                "Explained the banding and waiting times, and checked the application was complete",
            ),
            (
                "Repairs delays",
                "Complained that the heating was off for three days",
                "Apologised, confirmed the boiler is fixed and paid {amount} compensation",
            ),
        ),
        "supplier_inbound": SUPPLIER_INBOUND,
        "supplier_outbound": SUPPLIER_OUTBOUND,
    },
    outcomes=(
        "Resolved at first contact",
        "Tenant happy with the answer",
        "Repair booked",
        "Passed to the right team for action",
        "Tenant satisfied; no further action",
        "Information sent; tenant deciding",
        "Tenancy record updated",
        "Tenant thanked us for the help",
        "Written confirmation sent as requested",
        "Housing officer to follow up",
    ),
    internal_requests={
        "Repairs Team": (
            (
                "Asked us to confirm access times for job {ref}",
                "Called the tenant and added the access times to job {ref}",
            ),
            (
                "Asked us to rebook jobs after an operative went off sick",
                "Contacted the tenants and rebooked the jobs for {date}",
            ),
            (
                "Asked for the tenant's phone number for an emergency job",
                "Checked the record and passed on the correct number",
            ),
        ),
        "Housing Management": (
            (
                "Asked for all contact with a tenant about noise in the last month",
                "Sent the interaction history for the case",
            ),
            (
                "Asked us to book tenancy sign-ups for {date}",
                "Booked the appointments and confirmed them with the tenants",
            ),
        ),
        "Income Team": (
            (
                "Asked us to tell a tenant about a missed payment plan instalment",
                "Contacted the tenant and passed on their reply",
            ),
            (
                "Asked how many tenants asked about the rent change this week",
                "Sent the number and the main questions asked",
            ),
        ),
        "Lettings": (
            (
                "Asked us to confirm viewings for {date}",
                "Confirmed the viewings with the applicants",
            ),
            (
                "Asked us to update an applicant's contact details",
                "Checked and updated the details",
            ),
            (
                "Asked us to remind applicants to bring ID to their sign-up on {date}",
                "Reminded the applicants and confirmed who is coming",
            ),
        ),
        "Gas and Fire Safety": (
            (
                "Asked us to follow up no-access gas safety visits",
                "Contacted the tenants and rebooked the checks",
            ),
            (
                "Asked for a list of checks due before {date}",
                "Sent the list of tenants with checks due",
            ),
        ),
        "HR": (
            ("Asked for the team's training records", "Sent the training records"),
            (
                "Asked us to update our emergency contact details",
                "Updated and sent the details",
            ),
            ("Asked for the team's holiday plan for {date}", "Sent the holiday plan"),
        ),
    },
    internal_outbound={
        "Repairs Team": (
            "Asked the Repairs Team for an appointment date for job {ref}",
            "Passed a tenant's vulnerability details (with consent) to the Repairs Team",
        ),
        "Housing Management": (
            "Passed an anti-social behaviour report to the housing officer",
            "Asked Housing Management to call a tenant about a tenancy change",
        ),
        "Income Team": (
            "Asked the Income Team to call a tenant about their payment plan",
            "Asked the Income Team to check a refund of {amount}",
        ),
        "Lettings": (
            "Asked Lettings about the status of a transfer application",
            "Passed an applicant's new address to Lettings",
        ),
        "Gas and Fire Safety": (
            "Asked Gas and Fire Safety to rebook a gas check for {date}",
            "Reported a tenant's faulty smoke alarm to Gas and Fire Safety",
        ),
        "HR": (
            "Sent HR the team's timesheets",
            "Asked HR about booking complaint-handling training",
        ),
    },
    supplier_kinds=(
        ("Plumbing and heating contractor", "Heating"),
        ("Grounds maintenance contractor", "Grounds Maintenance"),
        ("Communal cleaning contractor", "Cleaning Services"),
        ("Scaffolding firm", "Scaffolding"),
        ("Door entry systems engineer", "Access Systems"),
        ("Interpreting service", "Language Services"),
    ),
    needs=(
        "Uses a wheelchair: needs the ramp kept clear and trades told before they visit",
        "Has a hearing impairment: needs contact by text or email",
        "Works afternoons: needs morning repair appointments",
        "Has a baby under one: needs the heating repair treated as urgent (agreed with Repairs)",
        "Needs letters in large print",
        "Speaks limited English: needs a Polish interpreter for phone calls",
        "Needs a female officer to visit (agreed with the housing officer)",
        "Needs 24 hours' notice before any visit",
        "Needs rent letters sent to their appointee as well",
        "Needs written confirmation of the payment plan",
        "Needs the repair finished before {date}, when they come home from hospital",
    ),
    business_needs=(
        "Needs access to the meter cupboard arranged through the residents' block",
        "Needs service charge invoices sent to their head office",
        "Needs notice of communal works at least 5 working days before",
        "Needs a named contact for referrals",
    ),
    preferences=(
        "Prefers calls after 4pm",
        "Likes to be addressed by first name",
        "Prefers email to letters",
        "Prefers to speak to their own housing officer",
        "Prefers appointments on Mondays",
        "Prefers web chat to phone calls",
        "Prefers not to receive the tenants' magazine",
        "Likes a text reminder the day before a repair",
        "Prefers 'Dr {last_name}' in letters",
        "Prefers to pay rent by phone",
    ),
    segment_weights={"new": 0.12, "regular": 0.6, "key_account": 0.05, "at_risk": 0.23},
    business_share=0.15,
    channel_weights={
        "phone": 0.42,
        "email": 0.24,
        "live_chat": 0.11,
        "letter": 0.08,
        "meeting": 0.08,
        "social": 0.07,
    },
    colleague_job_titles={
        "Repairs Team": ("Repairs Manager", "Repairs Planner", "Multi-trade Operative"),
        "Housing Management": ("Housing Manager", "Housing Officer", "Tenancy Support Officer"),
        "Income Team": ("Income Manager", "Income Officer", "Money Advice Officer"),
        "Lettings": ("Lettings Manager", "Lettings Officer"),
        "Gas and Fire Safety": ("Compliance Manager", "Compliance Administrator"),
        "HR": ("HR Manager", "HR Adviser"),
    },
    team=("Jess Palmer", "Mohammed Iqbal", "Rachel Turner", "Dean Whitmore", "Priya Chauhan"),
    business_kinds=(
        ("{last_name} Convenience Store", ("Shop Owner", "Manager")),
        ("{town} Pharmacy", ("Pharmacy Manager", "Pharmacist")),
        ("{last_name} Property Management", ("Property Manager", "Director")),
        ("{town} Community Association", ("Centre Manager", "Chair")),
        ("{town} Advice Centre", ("Adviser", "Centre Manager")),
        ("{last_name} Care Services", ("Support Worker", "Service Manager")),
    ),
    contact_notes=(
        "Tenant since 2015",
        "Shared ownership (40% share)",
        "Leaseholder",
        "Joint tenancy",
        "Rent paid through Universal Credit",
        "Ground-floor flat",
    ),
    business_notes=(
        "Commercial tenant of a ground-floor unit",
        "Partner organisation: refers tenants for support",
        "Lease renewal due next year",
        "Pays the service charge quarterly",
    ),
    reference_prefix="KV",
    email_domain="kestrelvalehomes.org.uk",
    phone_prefix="0121 496 0",
    address="Kestrel House, 40 Canal Street, Birmingham",
    postcode="B1 2JP",
    other_contacts=OTHER_CONTACTS,
    complaint_details=HOUSING_COMPLAINT_DETAILS,
    complaint_causes=HOUSING_COMPLAINT_CAUSES,
    internal_complaints=HOUSING_INTERNAL_COMPLAINTS,
    feedback=HOUSING_FEEDBACK,
    email_reply_within=(3, DAYS),
)


IT_COMPLAINT_DETAILS = {
    "Slow response to a fault": (
        "Their whole office could not print or email while they waited.",
        "They say this is the third slow response this quarter.",
        "They asked for the service credit set out in their contract.",
    ),
    "Fault not fixed first time": (
        "They lost half a day's work when the fault came back.",
        "They say the engineer closed the ticket without checking with them.",
        "They want a senior engineer to look at it.",
    ),
    "Engineer visit missed or late": (
        "They kept the office open late to let the engineer in.",
        "Nobody rang to say the engineer would be late.",
        "They do not want to be charged for the visit.",
    ),
    "Billing or contract": (
        "They say the invoice came as a complete surprise.",
        "They want to speak to someone in Accounts about it.",
        "They asked for the invoice to be cancelled.",
    ),
    "Staff attitude": (
        "They felt they were being blamed for the fault.",
        "They say the engineer used jargon and would not explain what was wrong.",
        "They would like an apology.",
    ),
    "Data loss": (
        "The files include client records they need for an audit next week.",
        "They were told the backup had been checked before the migration.",
        "They want to know how it happened and how it will be prevented.",
    ),
    "Communication": (
        "They chased the ticket three times and got no reply.",
        "The portal still shows the ticket as 'new'.",
        "They want a named contact and regular updates.",
    ),
}
IT_COMPLAINT_CAUSES = {
    "Slow response to a fault": (
        (
            "The ticket was logged as priority 3 instead of priority 1, so it waited in the "
            "wrong queue.",
            "Service Desk staff confirm the priority with the customer before logging a fault.",
        ),
        (
            "Two staff were off sick and calls were not redirected.",
            "The Team Leader moves staff to the phones when the queue is over 5 minutes.",
        ),
    ),
    "Fault not fixed first time": (
        (
            "The engineer fixed the symptom but not the cause: a failing network switch.",
            "Tickets are closed only after the customer confirms the fix has lasted a working day.",
        ),
        (
            "The repair used a refurbished part that failed.",
            "Only new parts are used for warranty repairs.",
        ),
    ),
    "Engineer visit missed or late": (
        (
            "The engineer's previous job overran and the customer was not told.",
            "Engineers ring the Service Desk when a job overruns, and the next customer is "
            "called straight away.",
        ),
        (
            "The visit was booked in the wrong engineer's diary.",
            "Visits are confirmed by email with the engineer's name.",
        ),
    ),
    "Billing or contract": (
        (
            "The notice email was not logged against the contract.",
            "Cancellation notices are logged on the contract the day they arrive and confirmed "
            "in writing.",
        ),
        (
            "Renewal reminders were not switched on for this contract.",
            "Accounts sends a renewal reminder 60 days before every contract ends.",
        ),
    ),
    "Staff attitude": (
        (
            "The engineer was under pressure and did not follow our call guidance.",
            "The Team Leader went through the call with the engineer, and plain-English "
            "guidance was shared with the team.",
        ),
        (
            "The customer was passed between three people without an explanation.",
            "Calls are only transferred with a warm handover.",
        ),
    ),
    "Data loss": (
        (
            "The backup was not checked before the migration, and one folder was missed.",
            "Every migration now starts only after a signed-off backup check.",
        ),
        (
            "A sync setting deleted the local copies of files.",
            "The migration checklist now includes the sync settings.",
        ),
    ),
    "Communication": (
        (
            "The ticket was assigned to an engineer who was on holiday.",
            "Tickets are reassigned when an engineer is away, and customers get an update each "
            "working day.",
        ),
        (
            "Portal updates were not sent because of a notification fault.",
            "The portal notifications were fixed and the Service Desk checks open tickets every "
            "afternoon.",
        ),
    ),
}
IT_INTERNAL_COMPLAINTS = (
    {
        "department": "Field Engineers",
        "category": "Engineer visit missed or late",
        "description": "Field Engineers say visits are booked without the site address and "
        "parking details, so engineers arrive late.",
        "response": "Apologised and agreed to include the full address, parking and a site "
        "contact with every booking",
        "root_cause": "The booking form did not ask for parking or a site contact.",
        "lesson": "Every engineer booking includes the site address, parking and a site contact.",
    },
    {
        "department": "Second-Line Support",
        "category": "Fault not fixed first time",
        "description": "Second-Line Support say tickets are escalated to them without the "
        "troubleshooting already done, so they repeat the same checks.",
        "response": "Apologised and agreed to record every step tried before escalating a ticket",
        "root_cause": "Service Desk notes did not list the checks already done.",
        "lesson": "The escalation checklist lists the steps tried, with screenshots.",
    },
    {
        "department": "Accounts",
        "category": "Billing or contract",
        "description": "Accounts say credits promised to customers on the phone are not passed "
        "to them, so invoices go out at the full price.",
        "response": "Apologised and sent the list of credits agreed this month",
        "root_cause": "Credits were agreed on calls but not logged in the CRM.",
        "lesson": "Every credit agreed with a customer is logged and emailed to Accounts the "
        "same day.",
    },
)
IT_FEEDBACK = {
    "team": "the Service Desk",
    "service": "our IT support service",
    "contact_options": ("Phone", "Email", "Support portal", "Engineer visit", "Live chat"),
    "factors": (
        "Fast response to faults",
        "Fixing faults first time",
        "Friendly, knowledgeable engineers",
        "Clear communication",
        "Value for money",
        "The support portal",
        "Account management",
    ),
    "card": {
        "title": "Engineer visit feedback cards",
        "purpose": "Cards left by engineers after each site visit, returned by post or "
        "photographed and emailed.",
        "question": "How satisfied are you with the engineer's visit today?",
    },
    "suggestion": {
        "title": "Suggestion form (support portal)",
        "purpose": "A suggestion form on the support portal: customers' ideas for our service.",
    },
    "welcome": "How easy was it to get set up with our support?",
    "lapsed_reasons": (
        "Price",
        "Slow response to faults",
        "Faults not fixed first time",
        "Moved our IT in-house",
        "Not needed support recently",
        "Other",
    ),
    "key_offers": (
        "Quarterly service review meetings",
        "A named account manager",
        "Monthly ticket reports",
        "Out-of-hours support",
        "Priority engineer visits",
    ),
}


IT_SERVICES = Profile(
    key="it_services",
    name="Brightwire IT Solutions",
    sector="IT services",
    description=(
        "Brightwire IT Solutions gives IT support, cloud backup, broadband and computer repairs "
        "to about 300 small businesses and home users around Leeds. Customers log faults by "
        "phone, email or chat on the support portal; the Service Desk fixes most of them "
        "remotely and books engineers for site visits. Business customers have support "
        "contracts with agreed response times."
    ),
    learner_role="Service Desk Administrator in the Customer Support team",
    working_days=(1, 2, 3, 4, 5),
    opens_at="08:00",
    closes_at="18:00",
    departments=(
        {
            "name": "Field Engineers",
            "head": "Craig Lister",
            "relies_on_you_for": "Site visit bookings with the address, parking, access times "
            "and a clear description of the fault",
        },
        {
            "name": "Second-Line Support",
            "head": "Aisha Khan",
            "relies_on_you_for": "Tickets escalated with the steps already tried, the error "
            "messages and screenshots",
        },
        {
            "name": "Accounts",
            "head": "Hannah Webb",
            "relies_on_you_for": "Billing queries, contract changes and credit requests passed "
            "on with the customer's account number",
        },
        {
            "name": "Sales",
            "head": "Simon Baxter",
            "relies_on_you_for": "Customers interested in new services or upgrades passed on, "
            "with what they need",
        },
        {
            "name": "Projects",
            "head": "Leon Hart",
            "relies_on_you_for": "Customers' availability for installs and migrations, and their "
            "feedback after go-live",
        },
        {
            "name": "HR and Office",
            "head": "Beverley Nash",
            "relies_on_you_for": "Timesheets, holiday requests, visitor bookings and updates to "
            "staff details",
        },
    ),
    policies={
        "charter": (
            "Our customer service promises\n"
            "- We answer support calls within 30 seconds during opening hours.\n"
            "- We respond to priority 1 faults (you cannot work) within 1 working hour and to "
            "other faults within 4 working hours.\n"
            "- We reply to emails and portal tickets within 4 working hours.\n"
            "- We aim to fix 8 out of 10 faults remotely on the first contact.\n"
            "- We book engineer visits within 2 working days and arrive within the 2-hour slot "
            "agreed.\n"
            "- We acknowledge complaints within 4 working hours and respond within 3 working "
            "days."
        ),
        "returns": (
            "Repairs, refunds and cancellations\n"
            "- Hardware we sell has a 12-month return-to-base warranty; home users can return "
            "unopened hardware within 14 days for a full refund.\n"
            "- Repair work is guaranteed for 90 days: if the same fault comes back we fix it "
            "free.\n"
            "- Pay-as-you-go remote support is charged per hour; if we cannot fix the fault you "
            "pay nothing for that session.\n"
            "- Support contracts run for at least 12 months, then can be cancelled with 30 "
            "days' notice in writing.\n"
            "- Credits for missed response times are set out in each contract (usually 5% of "
            "that month's fee) and go on the next invoice.\n"
            "- Refunds are paid within 10 working days to the account that paid."
        ),
        "data_protection": (
            "Data protection (UK GDPR and the Data Protection Act 2018)\n"
            "- For customer records we are the data controller; when we work on a customer's "
            "own systems we are their data processor and follow their instructions.\n"
            "- Check identity before any password reset: name, account number and a call back "
            "to the number on file.\n"
            "- Never ask for passwords by email; start a remote session only with the "
            "customer's permission each time.\n"
            "- Newsletters and offers go only on channels the customer agreed to (email, phone, "
            "post and text are recorded separately). Messages about tickets are service "
            "messages.\n"
            "- Staff details in the CRM are personal data too.\n"
            "- Customer records are kept for 6 years after the contract ends; ticket notes for "
            "2 years.\n"
            "- Report any data breach to the Data Protection Lead straight away: we have 72 "
            "hours to tell the ICO, and must tell affected customers without delay."
        ),
        "complaints": (
            "How we handle complaints\n"
            "1. Stage 1 (front-line resolution): the Service Desk Administrator logs the "
            "complaint, acknowledges it within 4 working hours and aims to resolve it within "
            "3 working days.\n"
            "2. Stage 2 (supervisor review): if the customer is not satisfied, the complaint is "
            "about a member of staff, a credit or refund over £200 is asked for, or the "
            "customer has lost data or cannot work, the Service Desk Team Leader reviews it "
            "and responds within 5 working days.\n"
            "3. Stage 3 (manager review): the Service Delivery Manager gives our final "
            "response within 10 working days.\n"
            "4. Home users can then go to an independent ADR provider; business customers can "
            "use mediation under their contract.\n"
            "Log every complaint in the CRM with its category, each contact and the outcome."
        ),
    },
    complaints_procedure=_procedure(
        levels=(
            ("Service Desk Administrator", (4, HOURS), (3, DAYS)),
            ("Service Desk Team Leader", (1, DAYS), (5, DAYS)),
            ("Service Delivery Manager", (1, DAYS), (10, DAYS)),
            (
                "Independent ADR provider (home users) or mediation under the contract "
                "(business customers)",
                None,
                None,
            ),
        ),
        escalate_when=(
            "the customer is not satisfied with the stage 1 response",
            "the complaint is about a member of staff",
            "a credit or refund over £200 is asked for",
            "the customer has lost data or cannot work (treat as priority 1 and tell the Team "
            "Leader at once)",
        ),
        categories=(
            "Slow response to a fault",
            "Fault not fixed first time",
            "Engineer visit missed or late",
            "Billing or contract",
            "Staff attitude",
            "Data loss",
            "Communication",
        ),
    ),
    products_or_services=(
        "managed IT support contract",
        "laptop repair",
        "Microsoft 365 set-up",
        "cloud backup",
        "business broadband",
        "Wi-Fi upgrade",
        "new PC build",
        "printer support",
        "virus and malware removal",
        "data recovery",
        "website hosting",
        "email migration",
        "cyber security check",
        "VoIP phone system",
        "remote support hour",
    ),
    interaction_topics={
        "inbound": (
            (
                "Reported that their laptop will not start",
                "Talked them through a hard reset; the laptop works again (ticket {ref})",
            ),
            (
                "Reported that they cannot log in to email",
                "Checked identity, reset the password and confirmed email works (ticket {ref})",
            ),
            ("Asked for a quote for the {item}", "Passed to Sales, who quoted {amount}"),
            (
                "Reported slow Wi-Fi in the office",
                "Booked an engineer visit for {date} under ticket {ref}",
            ),
            (
                "Asked about the progress of ticket {ref}",
                "Gave an update on ticket {ref}: part ordered, engineer booked for {date}",
            ),
            (
                "Asked how to set up cloud backup on a new laptop",
                "Sent step-by-step instructions and offered a remote session",
            ),
            (
                "Reported a suspicious email asking for bank details",
                "Confirmed it was phishing and explained how to report and delete it",
            ),
            (
                "Asked us to add a new starter to their Microsoft 365 account",
                "Set up the new user and sent the login details securely",
            ),
            (
                "Reported that the printer will not print",
                "Fixed the printer driver remotely (ticket {ref})",
            ),
            (
                "Asked about the cost of extra cloud backup storage",
                "Explained the storage prices and sent the order form",
            ),
            (
                "Asked to cancel the {item}",
                "Explained the 30-day notice period and passed the request to Accounts",
            ),
            ("Asked for a copy of invoice {ref}", "Sent a copy of invoice {ref}"),
            (
                "Reported losing files after a power cut",
                "Restored the files from last night's backup (ticket {ref})",
            ),
            (
                "Asked when the broadband upgrade will be installed",
                "Confirmed the installation date, {date}",
            ),
            (
                "Asked whether we support Apple computers",
                "Confirmed we support macOS and explained the hourly rate",
            ),
            (
                "Asked to change the main contact on their contract",
                "Updated the main contact after written confirmation from a director",
            ),
            (
                "Asked for help moving email to a new domain",
                "Passed to Projects and booked a planning call for {date}",
            ),
            (
                "Said their laptop repair is taking too long",
                "Checked with the engineers and confirmed the laptop will be ready on {date}",
            ),
        ),
        "outbound_proactive": (
            "Told the customer about planned maintenance on the backup servers on {date}",
            "Reminded the customer that their support contract renews on {date}",
            "Checked the customer was happy after ticket {ref} was closed",
            "Asked for feedback on the support they received",
            "Warned the customer about a phishing campaign aimed at small businesses",
            "Told the customer their laptop repair is ready to collect",
            "Offered the customer a free cyber security check",
            "Let the customer know last night's backup failed and has now been re-run",
            "Reminded the customer that Windows 10 support has ended and offered an upgrade",
            "Booked the customer's quarterly service review for {date}",
            "Told the customer the engineer is running 30 minutes late",
            "Confirmed the start date of the customer's new support contract, {date}",
            "Sent the customer their monthly support report",
            "Let the customer know the price of the {item} changes from {date}",
            "Invited the customer to a free webinar about {item}",
        ),
        "complaint": (
            (
                "Slow response to a fault",
                "Complained that a priority 1 fault waited 3 hours for a response",
                "Apologised, explained what went wrong with the ticket queue and credited {amount}",
            ),
            (
                "Fault not fixed first time",
                "Complained that the same fault came back the day after ticket {ref} was closed",
                "Sent a second-line engineer and confirmed the fix on ticket {ref}",
            ),
            (
                "Engineer visit missed or late",
                "Complained that the engineer did not arrive for the booked visit",
                "Apologised and rebooked the first slot of the day on {date}",
            ),
            (
                "Billing or contract",
                "Complained about being billed {amount} after cancelling",
                "Checked the notice date and credited {amount}",
            ),
            (
                "Billing or contract",
                "Complained that the contract renewed without warning",
                "Explained the renewal terms and agreed to remind them 60 days before next time",
            ),
            (
                "Staff attitude",
                "Complained that an engineer was dismissive on the phone",
                "Apologised and passed it to the Service Desk Team Leader",
            ),
            (
                "Data loss",
                "Complained that files were lost during the email migration",
                "Restored the files from backup and explained what caused the loss",
            ),
            (
                "Communication",
                "Complained that nobody updated them about ticket {ref}",
                "Apologised, gave a named contact and set daily updates until the ticket closes",
            ),
            (
                "Slow response to a fault",
                "Complained about waiting 20 minutes on hold to the support line",
                "Apologised and explained the staffing changes made to cut waiting times",
            ),
            (
                "Fault not fixed first time",
                "Complained that their laptop repair failed again",
                "Replaced the laptop under warranty",
            ),
        ),
        "supplier_inbound": SUPPLIER_INBOUND,
        "supplier_outbound": SUPPLIER_OUTBOUND,
    },
    outcomes=(
        "Fixed at first contact",
        "Customer happy with the answer",
        "Ticket closed with the customer's agreement",
        "Passed to the right team for action",
        "Customer satisfied; no further action",
        "Information sent; customer deciding",
        "Account record updated",
        "Customer thanked us for the quick fix",
        "Written confirmation sent as requested",
        "Engineer visit booked",
    ),
    internal_requests={
        "Field Engineers": (
            (
                "Asked us to confirm parking and access for a site visit on {date}",
                "Checked with the customer and added the access notes to ticket {ref}",
            ),
            (
                "Asked us to rebook visits after an engineer went off sick",
                "Rebooked the visits and told the customers",
            ),
        ),
        "Second-Line Support": (
            (
                "Asked for the error messages the customer saw on ticket {ref}",
                "Got screenshots from the customer and added them to ticket {ref}",
            ),
            (
                "Asked us to check a customer is free for a remote session on {date}",
                "Confirmed the slot with the customer",
            ),
        ),
        "Accounts": (
            (
                "Asked us to confirm a customer's billing contact",
                "Checked with the customer and updated the billing contact",
            ),
            (
                "Asked for the ticket history of a customer who disputes their bill",
                "Sent the ticket history for the last 3 months",
            ),
            (
                "Asked us to chase payment of invoice {ref}",
                "Called the customer and agreed payment by {date}",
            ),
        ),
        "Sales": (
            (
                "Asked for a list of customers still using Windows 10",
                "Sent the list from the asset records",
            ),
            (
                "Asked which customers' contracts renew next month",
                "Sent the renewal list with each customer's main contact",
            ),
            (
                "Asked for customer feedback about the {item}",
                "Sent a summary of recent comments",
            ),
        ),
        "Projects": (
            (
                "Asked us to find out when a customer's staff can be offline for a migration",
                "Agreed a Saturday-morning slot with the customer",
            ),
            (
                "Asked for customers' feedback after go-live",
                "Sent the feedback from the follow-up calls",
            ),
        ),
        "HR and Office": (
            ("Asked for the team's holiday plan for {date}", "Sent the holiday plan"),
            ("Asked us to update our details on the staff list", "Updated and sent the details"),
            (
                "Asked us to book a visitor badge for a customer meeting on {date}",
                "Booked the badge and told the customer where to park",
            ),
        ),
    },
    internal_outbound={
        "Field Engineers": (
            "Asked the Field Engineers to book a site visit for ticket {ref}",
            "Asked the Field Engineers for an arrival time for a customer",
        ),
        "Second-Line Support": (
            "Escalated ticket {ref} to Second-Line Support with the steps already tried",
            "Asked Second-Line Support for an update on ticket {ref}",
        ),
        "Accounts": (
            "Asked Accounts to raise a credit of {amount}",
            "Asked Accounts to send a copy of invoice {ref}",
        ),
        "Sales": (
            "Passed a customer interested in the {item} to Sales",
            "Asked Sales to call a customer about upgrading their contract",
        ),
        "Projects": (
            "Asked Projects for the go-live date of a customer's migration",
            "Passed a customer's worry about the migration weekend to Projects",
        ),
        "HR and Office": (
            "Sent HR and Office the team's timesheets",
            "Asked HR and Office about complaint-handling training",
        ),
    },
    supplier_kinds=(
        ("Hardware distributor", "Distribution"),
        ("Broadband wholesaler", "Networks"),
        ("Software licensing reseller", "Licensing"),
        ("Data centre provider", "Data Centres"),
        ("Courier company", "Couriers"),
        ("Office cleaning contractor", "Cleaning Services"),
    ),
    needs=(
        "Needs the laptop back before {date} for a university deadline",
        "Is visually impaired: needs instructions that work with a screen reader",
        "Works in an office during the day: needs visits after 5pm",
        "New to computers: needs written step-by-step instructions",
        "Needs their data kept on UK servers only",
        "Hard of hearing: needs support by chat or email rather than phone",
        "Needs a written quote before any repair work starts",
    ),
    business_needs=(
        "Needs a 1-hour response to priority 1 faults, as agreed in their contract",
        "Needs every remote session approved by the practice manager first",
        "Needs patient data kept encrypted and on UK servers (dental practice)",
        "Needs engineers to visit before 8.30am or after 5.30pm so clients are not disturbed",
        "Needs a monthly ticket report for their board",
        "Needs a purchase order number on every invoice",
        "Needs the office back online before {date} for a client audit",
    ),
    preferences=(
        "Prefers calls after 4pm",
        "Likes to be addressed by first name",
        "Prefers email updates to phone calls",
        "Prefers the same engineer each time",
        "Prefers chat on the support portal",
        "Likes technical detail in updates",
        "Prefers short, non-technical updates",
        "Prefers Friday afternoon visits",
        "Prefers 'Dr {last_name}' in letters",
        "Prefers not to receive the monthly newsletter",
    ),
    segment_weights={"new": 0.15, "regular": 0.45, "key_account": 0.18, "at_risk": 0.22},
    business_share=0.45,
    channel_weights={
        "email": 0.4,
        "phone": 0.33,
        "live_chat": 0.15,
        "meeting": 0.07,
        "social": 0.03,
        "letter": 0.02,
    },
    colleague_job_titles={
        "Field Engineers": ("Field Services Manager", "Field Engineer", "Apprentice Engineer"),
        "Second-Line Support": ("Second-Line Support Manager", "Systems Engineer"),
        "Accounts": ("Accounts Manager", "Accounts Assistant", "Credit Controller"),
        "Sales": ("Sales Manager", "Account Manager", "Sales Executive"),
        "Projects": ("Projects Manager", "Project Engineer", "Project Coordinator"),
        "HR and Office": ("HR and Office Manager", "Office Administrator", "Receptionist"),
    },
    team=("Ryan Moss", "Ellie Shaw", "Kwame Asante", "Natalie Reid"),
    business_kinds=(
        ("{last_name} Accountants", ("Practice Manager", "Partner", "Office Manager")),
        ("{town} Dental Practice", ("Practice Manager", "Principal Dentist")),
        ("{last_name} Solicitors", ("Practice Manager", "Partner")),
        ("{town} Veterinary Surgery", ("Practice Manager", "Head Receptionist")),
        ("{last_name} Building Supplies Ltd", ("Director", "Finance Manager", "Office Manager")),
        ("{town} Estate Agents", ("Branch Manager", "Office Manager")),
    ),
    contact_notes=(
        "Home user",
        "Pay-as-you-go customer",
        "Works from home three days a week",
        "Bought a laptop from us last year",
        "Has cloud backup for the family's photos",
        "Uses a Mac",
    ),
    business_notes=(
        "Support contract: Gold (1-hour response)",
        "Support contract: Standard (4-hour response)",
        "12 users on Microsoft 365",
        "Contract renewed last April",
    ),
    reference_prefix="TCK",
    email_domain="brightwire-it.co.uk",
    phone_prefix="0113 496 0",
    address="Unit 6, Aire Street Business Centre, Leeds",
    postcode="LS1 4PR",
    other_contacts=OTHER_CONTACTS,
    complaint_details=IT_COMPLAINT_DETAILS,
    complaint_causes=IT_COMPLAINT_CAUSES,
    internal_complaints=IT_INTERNAL_COMPLAINTS,
    feedback=IT_FEEDBACK,
    email_reply_within=(4, HOURS),
)


PROFILES: dict[str, Profile] = {p.key: p for p in (RETAIL, LEISURE, HOUSING, IT_SERVICES)}


def get_profile(key: str) -> Profile:
    """The profile called `key`; KeyError naming the known profiles otherwise."""
    try:
        return PROFILES[key]
    except KeyError:
        known = ", ".join(sorted(PROFILES))
        raise KeyError(f"unknown organisation profile {key!r}; known profiles: {known}") from None
