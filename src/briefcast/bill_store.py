"""Bills in the app database: upsert on import, browse, search, and pick for an episode."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

import sqlalchemy as sa

from briefcast.bills import Bill, BillId
from briefcast.db import Database
from briefcast.errors import NotFound
from briefcast.tables import bills, podcasts, tracked_bills

__all__ = ["BillPage", "BillStore", "UpsertCounts"]


@dataclass(frozen=True)
class UpsertCounts:
    added: int
    updated: int
    unchanged: int


@dataclass(frozen=True)
class BillPage:
    bills: tuple[Bill, ...]
    total: int


class BillStore:
    def __init__(
        self, db: Database, clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    ) -> None:
        self._db = db
        self._clock = clock

    def upsert(self, items: Iterable[Bill]) -> UpsertCounts:
        """Insert new bills and replace changed ones; re-importing never duplicates."""
        added = updated = unchanged = 0
        now = self._clock()
        with self._db.write() as conn:
            for bill in items:
                values = _row(bill, now)
                current = conn.execute(
                    sa.select(bills.c.data).where(bills.c.id == values["id"])
                ).first()
                if current is None:
                    conn.execute(bills.insert().values(values))
                    added += 1
                elif current.data != values["data"]:
                    conn.execute(bills.update().where(bills.c.id == values["id"]).values(values))
                    updated += 1
                else:
                    unchanged += 1
        return UpsertCounts(added, updated, unchanged)

    def get(self, bill_id: str) -> Bill:
        key = str(BillId.parse(bill_id))
        with self._db.read() as conn:
            data = conn.execute(sa.select(bills.c.data).where(bills.c.id == key)).scalar()
        if data is None:
            raise NotFound(f"no bill {key}")
        return Bill.from_json(data)

    def get_many(self, bill_ids: Sequence[str]) -> list[Bill]:
        """The bills in the order asked; unknown ids raise :class:`NotFound`."""
        with self._db.read() as conn:
            rows = conn.execute(sa.select(bills.c.id, bills.c.data).where(bills.c.id.in_(bill_ids)))
            found = {row.id: Bill.from_json(row.data) for row in rows}
        missing = [b for b in bill_ids if b not in found]
        if missing:
            raise NotFound(f"bills no longer available: {', '.join(missing)}")
        return [found[b] for b in bill_ids]

    def search(
        self,
        query: str | None = None,
        *,
        policy_area: str | None = None,
        congress: int | None = None,
        limit: int = 20,
        offset: int = 0,
    ) -> BillPage:
        """Bills matching every word of ``query``, most recently active first."""
        if "\x00" in f"{query}{policy_area}":
            # No bill's text holds a NUL, and PostgreSQL refuses to compare text that does.
            return BillPage((), 0)
        where: list[sa.ColumnElement[bool]] = []
        for word in (query or "").lower().split()[:8]:
            escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            where.append(bills.c.search_text.like(f"%{escaped}%", escape="\\"))
        if policy_area:
            where.append(sa.func.lower(bills.c.policy_area) == policy_area.lower())
        if congress:
            where.append(bills.c.congress == congress)
        order = (bills.c.latest_action_date.desc().nulls_last(), bills.c.id)
        with self._db.read() as conn:
            total = conn.execute(
                sa.select(sa.func.count()).select_from(bills).where(*where)
            ).scalar()
            rows = conn.execute(
                sa.select(bills.c.data).where(*where).order_by(*order).limit(limit).offset(offset)
            )
            found = tuple(Bill.from_json(row.data) for row in rows)
        return BillPage(found, int(total or 0))

    def pick_for(self, user_id: str, interests: Sequence[str], count: int) -> list[str]:
        """Bills for an episode that names none: tracked bills first, then interests, then
        whatever moved most recently — skipping bills already covered for this listener
        unless they have had a newer action since."""
        with self._db.read() as conn:
            covered = self._covered(conn, user_id)
            candidates = (
                self._tracked(conn, user_id)
                + self._by_interest(conn, interests)
                + self._recent(conn)
            )
        picked: list[str] = []
        for bill_id, latest in candidates:
            last_covered = covered.get(bill_id)
            if bill_id in picked or (last_covered and (latest is None or latest <= last_covered)):
                continue
            picked.append(bill_id)
            if len(picked) == count:
                break
        return picked

    def _covered(self, conn: sa.Connection, user_id: str) -> dict[str, date]:
        rows = conn.execute(
            sa.select(podcasts.c.bill_ids, podcasts.c.finished_at).where(
                podcasts.c.user_id == user_id, podcasts.c.status == "completed"
            )
        )
        covered: dict[str, date] = {}
        for row in rows:
            for bill_id in row.bill_ids or ():
                day = row.finished_at.date()
                if bill_id not in covered or covered[bill_id] < day:
                    covered[bill_id] = day
        return covered

    def _tracked(self, conn: sa.Connection, user_id: str) -> list[tuple[str, date | None]]:
        query = (
            sa.select(bills.c.id, bills.c.latest_action_date)
            .join(tracked_bills, tracked_bills.c.bill_id == bills.c.id)
            .where(tracked_bills.c.user_id == user_id)
            .order_by(bills.c.latest_action_date.desc().nulls_last(), bills.c.id)
        )
        return [(r.id, r.latest_action_date) for r in conn.execute(query)]

    def _by_interest(
        self, conn: sa.Connection, interests: Sequence[str]
    ) -> list[tuple[str, date | None]]:
        if not interests:
            return []
        query = (
            sa.select(bills.c.id, bills.c.latest_action_date)
            .where(sa.func.lower(bills.c.policy_area).in_([i.lower() for i in interests]))
            .order_by(bills.c.latest_action_date.desc().nulls_last(), bills.c.id)
            .limit(200)
        )
        return [(r.id, r.latest_action_date) for r in conn.execute(query)]

    def _recent(self, conn: sa.Connection) -> list[tuple[str, date | None]]:
        query = (
            sa.select(bills.c.id, bills.c.latest_action_date)
            .order_by(bills.c.latest_action_date.desc().nulls_last(), bills.c.id)
            .limit(200)
        )
        return [(r.id, r.latest_action_date) for r in conn.execute(query)]

    def track(self, user_id: str, bill_id: str) -> None:
        key = str(BillId.parse(bill_id))
        self.get(key)
        with self._db.write() as conn:
            exists = conn.execute(
                sa.select(tracked_bills.c.bill_id).where(
                    tracked_bills.c.user_id == user_id, tracked_bills.c.bill_id == key
                )
            ).first()
            if exists is None:
                conn.execute(
                    tracked_bills.insert().values(
                        user_id=user_id, bill_id=key, created_at=self._clock()
                    )
                )

    def untrack(self, user_id: str, bill_id: str) -> None:
        key = str(BillId.parse(bill_id))
        with self._db.write() as conn:
            conn.execute(
                tracked_bills.delete().where(
                    tracked_bills.c.user_id == user_id, tracked_bills.c.bill_id == key
                )
            )

    def tracked_ids(self, user_id: str) -> list[str]:
        with self._db.read() as conn:
            return [
                r.id
                for r in conn.execute(
                    sa.select(bills.c.id)
                    .join(tracked_bills, tracked_bills.c.bill_id == bills.c.id)
                    .where(tracked_bills.c.user_id == user_id)
                    .order_by(tracked_bills.c.created_at)
                )
            ]


def _row(bill: Bill, now: datetime) -> dict[str, object]:
    data = bill.to_json()
    text = " ".join(
        filter(
            None,
            [
                str(bill.id),
                bill.id.citation,
                bill.title,
                bill.short_title,
                bill.policy_area,
                bill.sponsor.name if bill.sponsor else None,
                " ".join(bill.subjects),
                bill.summary,
            ],
        )
    )
    return {
        "id": str(bill.id),
        "congress": bill.id.congress,
        "bill_type": bill.id.type,
        "number": bill.id.number,
        "title": bill.display_title,
        "policy_area": bill.policy_area,
        "status": bill.status,
        "latest_action_date": bill.latest_action.date if bill.latest_action else None,
        "update_date": bill.update_date
        if bill.update_date is None or bill.update_date.tzinfo
        else bill.update_date.replace(tzinfo=UTC),
        "search_text": text.lower(),
        "data": data,
        "source": bill.source,
        "imported_at": now,
    }
