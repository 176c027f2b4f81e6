"""The work behind the report routes, shared by the pages and the JSON API: form tokens,
submitting a report and looking up a receipt, each in a worker thread in one transaction (under
the app's writer lock, which SQLite needs).

Failed receipt look-ups are limited per client (`receipt_status.limited_lookup`) against
guessing; a refused submission still commits what
`submission.submit` wrote for it (a rate-limit hit: duplicates count against the limit).
"""

from __future__ import annotations

from datetime import timedelta

import anyio

from streetlight.db import ratelimit
from streetlight.reports import antispam, receipt_status
from streetlight.reports.receipt_status import Limited, PublicStatus, limited_lookup
from streetlight.reports.submission import Receipt, submit
from streetlight.reports.validation import ReportRejectedError, Submission
from streetlight.web.core.context import AppContext

# The HTTP status of each refusal reason (anything else is 400).
STATUS_CODES = {"too_many": 429, "duplicate": 409, "replayed": 409}


LookupResult = PublicStatus | Limited | None


def new_form_token(context: AppContext) -> str:
    """A token for one report, issued now."""
    return antispam.issue_form_token(context.secret, context.clock())


def submit_report(context: AppContext, submission: Submission, token: str, client: str) -> Receipt:
    """Store the report, or raise `SpamSuspectedError` / `ReportRejectedError` (blocking: run it in a
    worker thread)."""
    now = context.clock()
    min_age = timedelta(seconds=context.settings.report_min_seconds)
    nonce = antispam.check_form_token(context.secret, token, now, min_age=min_age)
    refused: ReportRejectedError
    with context.writer, context.sessions.begin() as session:
        try:
            return submit(
                session, submission, area=context.report_area, client_key=client,
                nonce_hash=nonce, limits=context.report_limits, now=now,
            )  # fmt: skip
        except ReportRejectedError as exc:
            refused = exc  # raised outside the block, so the transaction commits the hit
    raise refused


async def submit_for(
    context: AppContext, submission: Submission, token: str, client: str
) -> Receipt:
    """`submit_report` in a worker thread."""
    return await anyio.to_thread.run_sync(submit_report, context, submission, token, client)


def receipt_limit(context: AppContext) -> ratelimit.Limit:
    """Failed receipt look-ups per client per hour."""
    return receipt_status.receipt_limit(context.settings.receipt_lookups_per_hour)


def _lookup(context: AppContext, code: str, client: str) -> LookupResult:
    now = context.clock()
    limit = receipt_limit(context)
    with context.writer, context.sessions.begin() as session:
        return limited_lookup(session, code, client=client, limit=limit, now=now)


async def lookup_receipt(context: AppContext, code: str, client: str) -> LookupResult:
    """What `code` shows, `Limited` when `client` tried too many unknown codes, else None."""
    return await anyio.to_thread.run_sync(_lookup, context, code, client)
