"""Customers who answer back: deciding which answers are due must not slow the pages.

Two learners, each with an attempt at the same library scenario (`benchmarks.classroom`:
provisioned through the services, signed in through the sign-in service). One sandbox then gets
200 open conversations through `conversations.send_message`, the function the pages call,
spread over up to 50 external customers: questions about their needs awaiting an answer and,
every fourth round, a follow-up that promises a call back. Every message's `customer_due_at`
(when the simulated customer next acts on it) is then moved 60 days ahead, so nothing falls
due while the pages are timed: the figure is the cost of asking "anything due?" (and of the
data being there), not of customers answering.

Timed on both sandboxes, in turns (round robin, so a busy moment of the machine spreads over
all of them): the CRM dashboard and the page of a customer with open conversations, through
Flask's test client in this process (the whole request: session, the sandbox hook that asks
`customers.due_now`, the page's queries and template), and Check my work
(`engine.check_my_work` and the commit, as `benchmarks.check` times it). Figures: the p95 of
each without and with the conversations, and their ratio (pages: target <= 1.2x; Check my work:
its p95 against the check benchmark's target).
"""

from __future__ import annotations

import time
from datetime import timedelta

from .classroom import USER_AGENT, build_app, prepare_class
from .common import figure, ms_since

CONVERSATIONS = 200
CUSTOMERS = 50  # at most; a small scenario sandbox has fewer external customers
PER_CUSTOMER = 4  # kinds of message, in turn: three questions, then a promised call back
DUE_LATER = timedelta(days=60)
TOPICS = ("timescale", "budget", "specification")
PAGES = {"dashboard": "/s/{sandbox}/", "contact": "/s/{sandbox}/contacts/{contact}"}


def _customers(sandbox_id: int, count: int) -> list[int]:
    """The sandbox's first `count` current external customers who have not left, in id order
    (two copies of one template give the same customers in the same order)."""
    from sqlalchemy import select

    from crm_sandbox.extensions import db
    from crm_sandbox.models import Contact

    return list(
        db.session.scalars(
            select(Contact.id)
            .where(
                Contact.sandbox_id == sandbox_id,
                Contact.category == "external",
                Contact.merged_into_id.is_(None),
                Contact.left_sbx.is_(None),  # a customer who left answers nobody
            )
            .order_by(Contact.id)
            .limit(count)
        )
    )


def open_conversations(sandbox_id: int, total: int) -> list[int]:
    """Send `total` messages that wait on the customer, through the service the pages call,
    then move their customers' next moves `DUE_LATER` ahead; the messages' ids."""
    from sqlalchemy import update

    from crm_sandbox.extensions import db
    from crm_sandbox.models import Contact, Interaction, Sandbox
    from crm_sandbox.services import conversations
    from crm_sandbox.services.context import SandboxContext

    sandbox = db.session.get(Sandbox, sandbox_id)
    ctx = SandboxContext(sandbox, sandbox.owner)
    now = ctx.now()
    customers = [ctx.get(Contact, i) for i in _customers(sandbox_id, CUSTOMERS)]
    sent = []
    for n in range(total):  # round the customers: each gets about total / CUSTOMERS
        contact, k = customers[n % len(customers)], (n // len(customers)) % PER_CUSTOMER
        if k < PER_CUSTOMER - 1:
            data = {
                "channel": "email",
                "purpose": "ask_needs",
                "summary": f"Could you tell me more about your {TOPICS[k]}?",
                "topic": TOPICS[k],
                "kind": "open",
            }
        else:
            data = {
                "channel": "phone",
                "purpose": "follow_up",
                "summary": "I will call you back with an answer.",
                "promise_by": now + timedelta(days=5, minutes=n),
            }
        sent.append(conversations.send_message(ctx, contact, data).id)
    db.session.execute(
        update(Interaction)
        .where(Interaction.sandbox_id == sandbox_id, Interaction.id.in_(sent))
        .values(customer_due_at=now + DUE_LATER)
    )
    db.session.commit()
    return sent


def run(database_url: str | None, quick: bool = False) -> dict:
    from crm_sandbox.extensions import db
    from crm_sandbox.models import Attempt, User
    from crm_sandbox.scenarios import engine

    rounds, presses = (8, 4) if quick else (250, 60)
    total = 20 if quick else CONVERSATIONS
    room = prepare_class(database_url, 2, tag="conversations")
    try:
        app = build_app(room.database_url, room.instance_path, room.secret_key)
        base, busy = room.learners
        with app.app_context():
            sent = open_conversations(busy.sandbox_id, total)
            open_count = open_conversations_left(busy.sandbox_id, sent)
            contacts = {
                "base": _customers(base.sandbox_id, 1)[0],
                "busy": _customers(busy.sandbox_id, 1)[0],
            }
        clients, paths = {}, {}
        for key, learner in (("base", base), ("busy", busy)):
            client = app.test_client()
            client.set_cookie(room.cookie_name, learner.cookie)
            clients[key] = client
            values = {"sandbox": learner.sandbox_id, "contact": contacts[key]}
            paths[key] = {page: path.format(**values) for page, path in PAGES.items()}
        headers, env = {"User-Agent": USER_AGENT}, {"REMOTE_ADDR": "127.0.0.1"}
        for key in clients:  # warm up: templates compiled, caches filled
            for path in paths[key].values():
                response = clients[key].get(path, headers=headers, environ_base=env)
                if response.status_code != 200:
                    raise RuntimeError(f"{path} answered {response.status_code}")
        pages = {(key, page): [] for key in clients for page in PAGES}
        cpu = {(key, page): [] for key in clients for page in PAGES}
        for _ in range(rounds):
            for key in clients:
                for page, path in paths[key].items():
                    start, started_cpu = time.perf_counter(), time.process_time()
                    clients[key].get(path, headers=headers, environ_base=env)
                    cpu[(key, page)].append((time.process_time() - started_cpu) * 1000)
                    pages[(key, page)].append(ms_since(start))

        checks = {"base": [], "busy": []}
        with app.app_context():
            attempts = {
                "base": db.session.get(Attempt, base.attempt_id),
                "busy": db.session.get(Attempt, busy.attempt_id),
            }
            learners = {key: db.session.get(User, a.learner_id) for key, a in attempts.items()}
            for key, attempt in attempts.items():  # warm up
                engine.check_my_work(attempt, learners[key])
                db.session.commit()
            for _ in range(presses):
                for key, attempt in attempts.items():
                    start = time.perf_counter()
                    engine.check_my_work(attempt, learners[key])
                    db.session.commit()
                    checks[key].append(ms_since(start))
            still_open = open_conversations_left(busy.sandbox_id, sent)
    finally:
        room.close()

    section = {
        "open_conversations": open_count,
        "open_conversations_after": still_open,
        "rounds": rounds,
        "presses": presses,
    }
    for page in PAGES:
        without, with_ = figure(pages[("base", page)]), figure(pages[("busy", page)])
        cpu_without, cpu_with = figure(cpu[("base", page)]), figure(cpu[("busy", page)])
        section[page] = {
            "without_ms": without,
            "with_ms": with_,
            "p95_ratio": round(with_["p95"] / without["p95"], 3),
            "median_ratio": round(with_["median"] / without["median"], 3),
            # This process's CPU time (SQLite runs in it): steadier on a busy machine.
            "cpu_without_ms": cpu_without,
            "cpu_with_ms": cpu_with,
            "cpu_p95_ratio": round(cpu_with["p95"] / cpu_without["p95"], 3),
        }
    without, with_ = figure(checks["base"]), figure(checks["busy"])
    section["check"] = {
        "without_ms": without,
        "with_ms": with_,
        "p95_ratio": round(with_["p95"] / without["p95"], 3),
        "median_ratio": round(with_["median"] / without["median"], 3),
    }
    return section


def open_conversations_left(sandbox_id: int, sent: list[int]) -> int:
    """Of the messages sent, how many still wait on their customer, due later than the
    sandbox's now (after the timing: all of them, nothing fell due)."""
    from sqlalchemy import func, select

    from crm_sandbox.extensions import db
    from crm_sandbox.models import Interaction, Sandbox
    from crm_sandbox.services import clock

    now = clock.sandbox_now(db.session.get(Sandbox, sandbox_id))
    return db.session.scalar(
        select(func.count())
        .select_from(Interaction)
        .where(
            Interaction.sandbox_id == sandbox_id,
            Interaction.id.in_(sent),
            Interaction.customer_due_at > now,
        )
    )


def table(section: dict) -> str:
    lines = [f"{'':<12} {'p95 without':>12} {'p95 with':>10} {'ratio':>7}"]
    for name in (*PAGES, "check"):
        s = section[name]
        lines.append(
            f"{name:<12} {s['without_ms']['p95']:>12.2f} {s['with_ms']['p95']:>10.2f}"
            f" {s['p95_ratio']:>7.3f}"
        )
    lines.append(f"open conversations: {section['open_conversations']}")
    return "\n".join(lines)


if __name__ == "__main__":
    import sys

    from .common import standalone_main

    sys.exit(
        standalone_main(
            "conversations",
            __doc__,
            run,
            table,
            "a smoke run: 20 conversations, a few samples",
        )
    )
