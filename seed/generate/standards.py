"""Service standards: the three the customer service charter promises, agreed before the
clock start.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from .complaints import _within_text

STANDARDS_AGREED_DAYS = 240  # the charter's standards were agreed about eight months before


class _Standards:
    """Making the service standards (part of the generator)."""

    def _standards(self) -> list[dict]:
        """Three agreed standards from the customer service charter, agreed months before the
        history starts; no measurements or findings yet (that is the learner's work)."""
        p = self.profile
        agreed = self.time.working_days_after(
            self.start.date() - timedelta(days=STANDARDS_AGREED_DAYS), 0
        )
        drafted = self.time.working_days_after(agreed - timedelta(days=14), 0)
        created = datetime.combine(drafted, time.fromisoformat(p.opens_at)) + timedelta(hours=1)
        ack = self.procedure[0]["acknowledge_within"]
        reply = {"amount": p.email_reply_within[0], "unit": p.email_reply_within[1]}
        charter = "All customers (customer service charter)"
        common = {
            "agreed_with_contact_id": None,
            "agreed_reply_id": None,  # agreed at a charter review, not by a reply in the CRM
            "method": "",  # measured by the CRM from its records
            "agreed_on": agreed,
            "status": "agreed",
            "created_sbx": created,
        }
        return [
            {
                "id": 1,
                "title": f"Acknowledge complaints within {_within_text(ack)}",
                "description": "Every complaint is acknowledged to the customer within "
                f"{_within_text(ack)} of being received, as the customer service charter and the "
                "complaints procedure promise. Measured from when the complaint is logged to "
                "when the acknowledgement is sent.",
                "measure": "complaint_ack_time",
                "threshold": float(ack["amount"]),
                "threshold_unit": ack["unit"],
                "target_percent": 95.0,
                "period": "month",
                "agreed_with": charter,
                **common,
            },
            {
                "id": 2,
                "title": f"Reply to emails, letters and messages within {_within_text(reply)}",
                "description": "The first reply to a customer's written enquiry (email, letter "
                f"or social media message) is sent within {_within_text(reply)}. Calls, live "
                "chats and meetings are answered there and then, so they are not counted.",
                "measure": "first_response_time",
                "threshold": float(reply["amount"]),
                "threshold_unit": reply["unit"],
                "target_percent": 90.0,
                "period": "month",
                "agreed_with": charter,
                **common,
            },
            {
                "id": 3,
                "title": "Complaint satisfaction of at least 4.0 out of 5",
                "description": "Customers whose complaint has been closed are asked to rate how "
                "it was handled, from 1 to 5. The average rating over each quarter is at least "
                "4.0.",
                "measure": "satisfaction_score",
                "threshold": 4.0,
                "threshold_unit": "score",
                "target_percent": None,
                "period": "quarter",
                "agreed_with": f"{self.procedure[2]['owner']} (internal target)",
                **common,
            },
        ]
