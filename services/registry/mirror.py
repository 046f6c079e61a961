"""What the registry keeps of inspection's events to decide when a hazard suspension ends.

Written by the event handlers inside their unit of work (the inbox makes each write
happen once); the registry's own events cannot rebuild these tables, so they are the
Store's `tables`, never dropped by a projection rebuild. Inspection's events arrive in
its log order: an order is recorded before its verification."""
import json

from sqlalchemy import Boolean, Column, MetaData, String, Table, Text, select, update

from shared.statements import upsert

metadata = MetaData()
hazard_holds = Table(
    "hazard_holds", metadata,
    Column("inspection_id", String(64), primary_key=True),
    Column("finding_id", String(64), primary_key=True),
    Column("institution_id", String(36), nullable=False, index=True),
    # the event behind the suspension the finding holds (Institution.suspended_for)
    Column("suspension", String(64), nullable=False),
)
rectification_orders = Table(
    "rectification_orders", metadata,
    Column("order_id", String(64), primary_key=True),
    Column("institution_id", String(36), nullable=False, index=True),
    Column("inspection_id", String(64)),
    Column("finding_ids", Text, nullable=False, default="[]"),  # known once the order is seen
    Column("verified", Boolean, nullable=False, default=False),
)


def finding_holds(conn, institution_id, data, suspension):
    upsert(conn, hazard_holds, {"inspection_id": data["inspection_id"],
                                "finding_id": data["finding_id"]},
           {"institution_id": institution_id, "suspension": suspension})


def order_recorded(conn, data):
    upsert(conn, rectification_orders, {"order_id": data["order_id"]}, {
        "institution_id": data["institution_id"],
        "inspection_id": data.get("inspection_id"),
        "finding_ids": json.dumps(sorted(data.get("finding_ids") or []))})


def order_verified(conn, data):
    conn.execute(update(rectification_orders).where(
        rectification_orders.c.order_id == data["order_id"]).values(verified=True))


def holding(conn, institution_id, suspension):
    """(inspection_id, finding_id) of the findings that hold this suspension."""
    t = hazard_holds.c
    rows = conn.execute(select(t.inspection_id, t.finding_id).where(
        t.institution_id == institution_id, t.suspension == suspension))
    return {(row.inspection_id, row.finding_id) for row in rows}


def rectified(conn, institution_id):
    """(inspection_id, finding_id) of the findings covered by a verified order."""
    t = rectification_orders.c
    rows = conn.execute(select(t.inspection_id, t.finding_ids).where(
        t.institution_id == institution_id, t.verified == True))  # noqa: E712
    return {(row.inspection_id, finding_id) for row in rows
            for finding_id in json.loads(row.finding_ids)}
