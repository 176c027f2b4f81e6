"""The offender unit's pages (`/unit/...`): caseload, a person's record, the bail and orders
board, the dashboard and the auditor's log, over `streetlight.unit` (which decides who may see
what and audits every opening and change)."""
