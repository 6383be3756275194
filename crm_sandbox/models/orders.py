"""Repeat business: an external customer's orders, bookings and renewals over time, so
loyalty (do they come back?) can be measured apart from satisfaction (did they say they were
happy?)."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from .base import Base, UTCDateTime, utcnow
from .contacts import Contact, _in
from .sandboxes import SandboxScoped


class Pounds(TypeDecorator):
    """An amount of money in pounds and pence (NUMERIC(10, 2)), always read back as a float:
    SQLite hands back 97 for 97.00 where PostgreSQL hands back 97.0."""

    impl = Numeric(10, 2, asdecimal=False)
    cache_ok = True

    def process_result_value(self, value, dialect):
        return None if value is None else float(value)


class OrderKind(enum.StrEnum):
    ORDER = "order"
    BOOKING = "booking"
    RENEWAL = "renewal"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class Order(SandboxScoped, Base):
    """One piece of business from a customer (an order, a booking, a renewal) on a day."""

    __tablename__ = "orders"
    __table_args__ = (
        CheckConstraint(_in("kind", OrderKind), name="order_kind_known"),
        Index("ix_orders_sandbox_placed", "sandbox_id", "placed_on"),
        Index("ix_orders_contact_id", "contact_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(10), default=OrderKind.ORDER.value)
    reference: Mapped[str] = mapped_column(String(20), default="")
    description: Mapped[str] = mapped_column(String(300), default="")
    amount: Mapped[float] = mapped_column(Pounds(), default=0)
    placed_on: Mapped[date] = mapped_column(Date)  # sandbox date
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    contact: Mapped[Contact] = relationship()
