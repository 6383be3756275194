"""Feedback collections: emailed surveys, comment cards and a suggestion box, with
simulated responses (seed.answers).
"""

from __future__ import annotations

from bisect import bisect_left
from datetime import date, datetime, time, timedelta
from math import ceil

from ..answers import response_rate, simulate_response
from .common import MONTHS

# The feedback collections each size gets: (design, timing). "open" is the one survey still
# running at the clock start ("sent"); the others are closed.
SURVEY_PLANS = {
    "small": (("customers", "open"), ("comment_cards", "cards")),
    "standard": (
        ("customers", "customers"),
        ("internal", "internal"),
        ("comment_cards", "cards"),
        ("suggestion_box", "suggestions"),
        ("key_accounts", "open"),
    ),
    "large": (
        ("customers", "customers"),
        ("at_risk", "at_risk"),
        ("internal", "internal"),
        ("new_customers", "new_customers"),
        ("contact_experience", "contact_experience"),
        ("comment_cards", "cards"),
        ("suggestion_box", "suggestions"),
        ("key_accounts", "open"),
    ),
}
# Emailed surveys: (calendar days before the clock start it was sent, days it stays open).
SURVEY_TIMING = {
    "customers": (125, 21),
    "at_risk": (95, 21),
    "internal": (70, 14),
    "new_customers": (40, 14),
    "contact_experience": (32, 14),
    "open": (5, 14),
}
# Comment cards and suggestion boxes: (days before the clock start put out, taken in).
COLLECTION_PERIODS = {"cards": (150, 20), "suggestions": (175, 7)}
COLLECTED = {  # responses by size
    "cards": {"small": 50, "standard": 170, "large": 1500},
    "suggestions": {"small": 15, "standard": 80, "large": 550},
}
CARD_RETURN_RATE = 0.3  # share of comment cards handed out that come back filled in
NAMED_CARD = 0.35  # comment cards signed with a name the CRM knows
NAMED_SUGGESTION = 0.15
REPLY_TIMES = (
    "The same day",
    "The next working day",
    "Within 2-3 working days",
    "Longer than that",
)


def _survey_designs(fb: dict) -> dict[str, dict]:
    """The feedback collections a sandbox can start with, in the profile's words: title,
    method, purpose, audience and questions as (kind, text, options)."""
    team, service = fb["team"], fb["service"]
    everyone = {"category": "external", "segment": ""}
    return {
        "customers": {
            "title": "Customer satisfaction survey",
            "method": "survey",
            "purpose": f"Find out how satisfied customers are with {service}, what matters most "
            "to them and what we should improve first.",
            "audience": everyone,
            "questions": (
                ("rating_5", f"Overall, how satisfied are you with {service}?", ()),
                ("rating_5", "How helpful were our staff the last time you contacted us?", ()),
                (
                    "yes_no",
                    "Was your question or problem sorted the first time you contacted us?",
                    (),
                ),
                ("single_choice", "How did you last contact us?", fb["contact_options"]),
                (
                    "multiple_choice",
                    "What matters most to you? (Choose up to three.)",
                    fb["factors"],
                ),
                (
                    "recommend_0_10",
                    "How likely are you to recommend us to a friend or colleague?",
                    (),
                ),
                ("free_text", "What one thing could we do better?", ()),
            ),
        },
        "key_accounts": {
            "title": "Key account review",
            "method": "survey",
            "purpose": "Ask our key accounts how well their account is looked after and which "
            "extra services would make working with us easier.",
            "audience": {"category": "external", "segment": "key_account"},
            "questions": (
                (
                    "rating_5",
                    "How satisfied are you with the way your account is looked after?",
                    (),
                ),
                ("recommend_0_10", "How likely are you to recommend us to others?", ()),
                (
                    "multiple_choice",
                    "Which of these would make working with us easier?",
                    fb["key_offers"],
                ),
                ("yes_no", "Do you know who to contact about your account?", ()),
                ("free_text", "Is there anything else you would like to tell us?", ()),
            ),
        },
        "internal": {
            "title": f"Internal customer survey: support from {team}",
            "method": "survey",
            "purpose": f"Ask the departments that rely on {team} how well we support them, to "
            "agree internal service standards with them.",
            "audience": {"category": "internal", "segment": ""},
            "questions": (
                (
                    "rating_5",
                    f"How satisfied is your department with the support it gets from {team}?",
                    (),
                ),
                ("single_choice", "How quickly do we usually reply to your requests?", REPLY_TIMES),
                ("yes_no", "Do we give you all the information you need the first time?", ()),
                (
                    "multiple_choice",
                    "Which of these would help your department most?",
                    (
                        "Fewer mistakes in the details we pass on",
                        "Faster replies",
                        f"A named contact in {team}",
                        "A monthly summary of customer feedback",
                        "Shared access to the notes in the CRM",
                    ),
                ),
                ("free_text", f"What one thing could {team} do better for your department?", ()),
            ),
        },
        "new_customers": {
            "title": "Welcome survey for new customers",
            "method": "survey",
            "purpose": "Find out how easy new customers found it to get started with us and how "
            "they heard about us.",
            "audience": {"category": "external", "segment": "new"},
            "questions": (
                ("rating_5", fb["welcome"], ()),
                (
                    "single_choice",
                    "How did you hear about us?",
                    (
                        "Recommended by someone",
                        "Search engine",
                        "Social media",
                        "Saw us locally",
                        "Advert or leaflet",
                        "Other",
                    ),
                ),
                ("yes_no", "Did we explain everything you needed to know?", ()),
                (
                    "recommend_0_10",
                    "How likely are you to recommend us to a friend or colleague?",
                    (),
                ),
                ("free_text", "What could we have done better when you first got in touch?", ()),
            ),
        },
        "at_risk": {
            "title": "We would like to hear from you",
            "method": "survey",
            "purpose": "Ask customers who have used us less in recent months why, and what "
            "would bring them back.",
            "audience": {"category": "external", "segment": "at_risk"},
            "questions": (
                (
                    "single_choice",
                    "What is the main reason you have used us less recently?",
                    fb["lapsed_reasons"],
                ),
                ("rating_5", "How satisfied were you with your last contact with us?", ()),
                (
                    "recommend_0_10",
                    "How likely are you to recommend us to a friend or colleague?",
                    (),
                ),
                ("yes_no", "Would you like us to contact you about the changes we have made?", ()),
                ("free_text", "What would make you come back to us?", ()),
            ),
        },
        "contact_experience": {
            "title": "Your recent contact with us",
            "method": "survey",
            "purpose": "Check how well we handled customers' recent enquiries, against the "
            "promises in our customer service charter.",
            "audience": everyone,
            "questions": (
                ("rating_5", "How satisfied were you with how we dealt with your enquiry?", ()),
                ("rating_5", "How easy was it to get in touch with us?", ()),
                ("yes_no", "Did we do what we said we would, when we said we would?", ()),
                ("single_choice", "How long did it take to get a full answer?", REPLY_TIMES),
                (
                    "free_text",
                    "Is there anything else you would like to tell us about your experience?",
                    (),
                ),
            ),
        },
        "comment_cards": {
            "title": fb["card"]["title"],
            "method": "comment_card",
            "purpose": fb["card"]["purpose"],
            "audience": everyone,
            "questions": (
                ("rating_5", fb["card"]["question"], ()),
                ("free_text", "Your comments", ()),
            ),
        },
        "suggestion_box": {
            "title": fb["suggestion"]["title"],
            "method": "suggestion_box",
            "purpose": fb["suggestion"]["purpose"],
            "audience": everyone,
            "questions": (("free_text", "Your suggestion: how could we improve?", ()),),
        },
    }


class _Feedback:
    """Making the feedback collections (part of the generator)."""

    def _feedback(self, contacts: list[dict]) -> tuple[list, list, list, list]:
        """Surveys, comment cards and a suggestion box, with their questions and the simulated
        responses (answered the way seed.answers models customers)."""
        designs = _survey_designs(self.profile.feedback)
        externals = sorted(
            (c for c in contacts if c["category"] == "external"),
            key=lambda c: (c["created_sbx"], c["id"]),
        )
        surveys = []
        for order, (key, timing) in enumerate(SURVEY_PLANS[self.size]):
            design = designs[key]
            if timing in COLLECTION_PERIODS:
                survey, people = self._collection(design, timing, externals)
            else:
                survey, people = self._emailed_survey(design, timing, contacts)
            questions = [
                {"kind": kind, "text": text, "options": list(options), "position": n}
                for n, (kind, text, options) in enumerate(design["questions"], start=1)
            ]
            surveys.append((survey, questions, people, order))
        surveys.sort(key=lambda item: (item[0]["created_sbx"], item[3]))
        survey_rows, question_rows, answered = [], [], []
        for number, (survey, questions, people, _) in enumerate(surveys, start=1):
            survey["id"] = number
            survey_rows.append(survey)
            ids = {}
            for question in questions:
                row = {
                    "id": len(question_rows) + 1,
                    "survey_id": number,
                    "position": question["position"],
                    "kind": question["kind"],
                    "text": question["text"],
                    "options": list(question["options"]),
                }
                question_rows.append(row)
                ids[question["position"]] = row["id"]
            category = survey["audience"]["category"]
            for seq, (at, contact, segment) in enumerate(people):
                answers = simulate_response(
                    self.rng, questions, segment, category, self.profile.key
                )
                response = {
                    "id": 0,
                    "survey_id": number,
                    "contact_id": contact["id"] if contact else None,
                    "segment": (contact["segment"] or "") if contact else "",
                    "responded_at": at,
                }
                answered.append((at, number, seq, response, answers, ids))
        answered.sort(key=lambda item: item[:3])
        response_rows, answer_rows = [], []
        for number, (_, _, _, response, answers, ids) in enumerate(answered, start=1):
            response["id"] = number
            response_rows.append(response)
            for answer in answers:
                answer_rows.append(
                    {
                        "id": len(answer_rows) + 1,
                        "response_id": number,
                        "question_id": ids[answer["question_position"]],
                        "number": answer["number"],
                        "text": answer["text"],
                        "choices": list(answer["choices"]),
                    }
                )
        return survey_rows, question_rows, response_rows, answer_rows

    def _morning_of(self, day: date, days_earlier: int = 0) -> datetime:
        """A morning moment on the first working day from `day` (less `days_earlier` working
        days), before the clock start."""
        index = min(bisect_left(self.time.days, day), self.time.last) - days_earlier
        index = max(0, index)
        end = min(self.time.ends[index], self.time.open + 180)
        return self.time.at(index, self.rng.randrange(self.time.open, end))

    def _survey_row(self, design: dict, title: str, sent: datetime, closes: date) -> dict:
        return {
            "id": 0,
            "title": title,
            "method": design["method"],
            "purpose": design["purpose"],
            "status": "sent" if closes >= self.start.date() else "closed",
            "audience": dict(design["audience"]),
            "recipients": 0,
            "sent_at": sent,
            "closes_on": closes,
            "created_sbx": self._morning_of(sent.date(), self.rng.randint(1, 4)),
        }

    def _emailed_survey(self, design: dict, timing: str, contacts: list[dict]):
        """A survey emailed to everyone in its audience who consented to email; each answers
        with their segment's response rate, over the first half of the time it is open."""
        days_before, days_open = SURVEY_TIMING[timing]
        sent = self._morning_of(self.start.date() - timedelta(days=days_before))
        closes = (sent + timedelta(days=days_open)).date()
        title = f"{design['title']} ({MONTHS[sent.month - 1]} {sent.year})"
        survey = self._survey_row(design, title, sent, closes)
        category, segment = design["audience"]["category"], design["audience"]["segment"]
        recipients = [
            c
            for c in contacts
            if c["category"] == category
            and (not segment or c["segment"] == segment)
            and c["consent_email"]
            and c["created_sbx"] < sent
        ]
        survey["recipients"] = len(recipients)
        calendar = self.time.calendar
        window = int(days_open * calendar.day_length.total_seconds() / 60 / 2)
        people = []
        for contact in recipients:
            if self.rng.random() >= response_rate(contact["segment"], contact["category"]):
                continue
            at = calendar.add_working_time(sent, timedelta(minutes=self.rng.randint(30, window)))
            if survey["status"] == "closed" and at >= self.start:
                continue
            people.append((at, contact, contact["segment"] or ""))
        return survey, people

    def _collection(self, design: dict, timing: str, externals: list[dict]):
        """Comment cards or a suggestion box: filled in over a period, mostly anonymously; a
        named one is linked to the customer's record."""
        start_days, end_days = COLLECTION_PERIODS[timing]
        sent = self._morning_of(self.start.date() - timedelta(days=start_days))
        closes = (self.start - timedelta(days=end_days)).date()
        survey = self._survey_row(design, design["title"], sent, closes)
        count = COLLECTED[timing][self.size]
        named = NAMED_CARD if timing == "cards" else NAMED_SUGGESTION
        joined = [c["created_sbx"] for c in externals]
        end = datetime.combine(closes, time.max)
        people = []
        for _ in range(count):
            at = self.time.between(sent, end)
            if at is None:
                continue
            known = bisect_left(joined, at)
            if known and self.rng.random() < named:
                contact = externals[self.rng.randrange(known)]
                people.append((at, contact, contact["segment"] or ""))
            else:  # anonymous: answers like a customer picked at random, segment not recorded
                people.append((at, None, self.rng.choice(externals)["segment"] or ""))
        if timing == "cards":
            survey["recipients"] = ceil(len(people) / CARD_RETURN_RATE / 10) * 10
        else:
            survey["recipients"] = len(people)
        return survey, people
