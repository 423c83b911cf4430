"""Browse and search bills; track the ones a listener follows."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response

from briefcast.bills import BillId
from briefcast.web.deps import CurrentUser, Services
from briefcast.web.schemas import BILL_ID_DOC, BillOut, BillPageOut, ErrorOut

__all__ = ["router"]

router = APIRouter(tags=["bills"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorOut, "description": "Missing or invalid API key"},
    404: {"model": ErrorOut, "description": "No such bill"},
    422: {"model": ErrorOut, "description": "Invalid request or bill id"},
}

BillIdPath = Annotated[str, Path(json_schema_extra=BILL_ID_DOC, examples=["119-hr-1234"])]


@router.get("/api/bills", response_model=BillPageOut, responses=_ERRORS)
def search_bills(
    user: CurrentUser,
    runtime: Services,
    q: Annotated[str | None, Query(max_length=200, description="Words to look for")] = None,
    policy_area: Annotated[str | None, Query(max_length=120)] = None,
    congress: Annotated[int | None, Query(ge=1, le=999)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> dict[str, Any]:
    """Bills matching every word of ``q``, most recently active first."""
    page = runtime.bills.search(
        q, policy_area=policy_area, congress=congress, limit=limit, offset=offset
    )
    tracked = set(runtime.bills.tracked_ids(user.id))
    return {
        "bills": [bill.to_json() | {"tracked": str(bill.id) in tracked} for bill in page.bills],
        "total": page.total,
        "limit": limit,
        "offset": offset,
    }


@router.get("/api/bills/{bill_id}", response_model=BillOut, responses=_ERRORS)
def get_bill(bill_id: BillIdPath, user: CurrentUser, runtime: Services) -> dict[str, Any]:
    bill = runtime.bills.get(bill_id)
    return bill.to_json() | {"tracked": str(bill.id) in set(runtime.bills.tracked_ids(user.id))}


@router.put("/api/me/bills/{bill_id}", status_code=204, responses=_ERRORS)
def track_bill(bill_id: BillIdPath, user: CurrentUser, runtime: Services) -> Response:
    """Follow a bill: briefs that name no bills cover followed bills first."""
    runtime.bills.track(user.id, bill_id)
    return Response(status_code=204)


@router.delete("/api/me/bills/{bill_id}", status_code=204, responses=_ERRORS)
def untrack_bill(bill_id: BillIdPath, user: CurrentUser, runtime: Services) -> Response:
    runtime.bills.untrack(user.id, str(BillId.parse(bill_id)))
    return Response(status_code=204)
