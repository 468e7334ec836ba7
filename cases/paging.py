"""A page of a list of cases: its rows, its count (bounded or exact) and how to reach
the pages beside it, by number or (newest first) by the id of a row it shows."""

from dataclasses import dataclass

from django.db.models import QuerySet

from cases.models import Case


@dataclass
class CasePage:
    """One page of a list. `count` is exact unless `count_capped` (then "more than
    count"); `pages` is known only with an exact count. `after` / `before` are the ids to
    page on from (newest first: the next page is after the last row shown)."""

    count: int
    count_capped: bool
    page: int
    pages: int | None
    items: list[Case]
    has_next: bool = False
    has_previous: bool = False
    # The keyset of the neighbouring pages when the order is the newest first.
    after: int | None = None
    before: int | None = None
    keyset: bool = False  # this page was reached by after/before, not by number


@dataclass
class Sheet:
    """The rows of a list, read a page (and one more row, to know of a next page) at a
    time; nothing is read when nothing matched. `known`: every matching id, when the
    count found them all and the order is the newest first: a page is then cut from them
    here and only its rows are read."""

    rows: QuerySet[Case]
    count: int
    capped: bool
    page_size: int
    empty: bool = False
    known: list[int] | None = None

    def read(
        self,
        *,
        offset: int = 0,
        order: tuple[str, ...] = (),
        pk__gt: int | None = None,
        pk__lt: int | None = None,
    ) -> list[Case]:
        if self.empty:
            return []
        if self.known is not None:
            ids = sorted(self.known, reverse=order != ("pk",))
            ids = [
                i for i in ids if (pk__gt is None or i > pk__gt) and (pk__lt is None or i < pk__lt)
            ]
            window = ids[offset : offset + self.page_size + 1]
            found = {case.pk: case for case in self.rows.filter(pk__in=window)}
            return [found[i] for i in window if i in found]
        rows = self.rows
        if pk__gt is not None:
            rows = rows.filter(pk__gt=pk__gt)
        if pk__lt is not None:
            rows = rows.filter(pk__lt=pk__lt)
        if order:
            rows = rows.order_by(*order)
        return list(rows[offset : offset + self.page_size + 1])

    def page(self, items: list[Case], *, more: bool, previous: bool) -> CasePage:
        """A page reached by id (set page and keyset otherwise)."""
        return CasePage(
            count=self.count,
            count_capped=self.capped,
            page=0,
            pages=None if self.capped else max(1, -(-self.count // self.page_size)),
            items=items,
            has_next=more,
            has_previous=previous,
            after=items[-1].pk if items and more else None,
            before=items[0].pk if items and previous else None,
            keyset=True,
        )
