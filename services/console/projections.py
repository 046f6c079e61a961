"""The console's read model: officers as they stand now (rebuilt from events)."""
from sqlalchemy import Boolean, Column, MetaData, String, Table, insert, select, update

from shared.projections import Projection, handles

metadata = MetaData()
officers = Table(
    "officers", metadata,
    Column("officer_id", String(40), primary_key=True),
    Column("role", String(20), nullable=False),
    Column("department", String(30), nullable=False),
    Column("district", String(6), nullable=False),
    Column("certified", Boolean, nullable=False, default=False),
    Column("school_id", String(60)),  # a school account's school
    Column("disabled", Boolean, nullable=False, default=False),
    Column("must_change_password", Boolean, nullable=False, default=True),
    Column("added_at", String(40), nullable=False),
    Column("signed_in_at", String(40)),
)


class ConsoleViews(Projection):
    NAME = "console"
    VERSION = 2  # 2: school_id
    metadata = metadata

    @handles("OfficerAdded")
    def added(self, conn, event):
        conn.execute(insert(officers).values(
            officer_id=event.officer_id, role=event.role, department=event.department,
            district=event.district, certified=event.data.get("certified", False),
            school_id=event.data.get("school_id"),
            disabled=False, must_change_password=True, added_at=event.meta.time))

    @handles("OfficerRoleChanged")
    def role_changed(self, conn, event):
        self._set(conn, event.officer_id, role=event.role, department=event.department,
                  district=event.district, school_id=event.data.get("school_id"))

    @handles("OfficerDisabled")
    def disabled(self, conn, event):
        self._set(conn, event.officer_id, disabled=True)

    @handles("OfficerPasswordReset")
    def reset(self, conn, event):
        self._set(conn, event.officer_id, must_change_password=True)

    @handles("OfficerPasswordChanged")
    def changed(self, conn, event):
        self._set(conn, event.officer_id, must_change_password=False)

    @handles("OfficerSignedIn")
    def signed_in(self, conn, event):
        self._set(conn, event.officer_id, signed_in_at=event.meta.time)

    @staticmethod
    def _set(conn, officer_id, **values):
        conn.execute(update(officers).where(officers.c.officer_id == officer_id).values(**values))


def find(conn, officer_id):
    row = conn.execute(select(officers).where(officers.c.officer_id == officer_id)).first()
    return dict(row._mapping) if row else None


def everyone(conn):
    return [dict(row._mapping) for row in conn.execute(select(officers).order_by(officers.c.added_at))]
