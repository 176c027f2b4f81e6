"""The control room reads by stop: an engagement's card holds its backup, the public's
confirmed check and their chat; repeated failed checks of one number fold into one line; times
are the force's wall clock (made relative in the browser) and positions link to a map."""

from __future__ import annotations

import re

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from streetlight.db.models import Dress, Role
from tests.web.conftest import Clock, MakeStaff
from tests.web.journeys import CENTRE, FAR, check, officer_app, put_on_duty, staff_client


def _card(page: str, ident: str) -> str:
    """The HTML of the stop card `ident`, up to the next stop card or the end."""
    start = page.index(f'id="{ident}"')
    end = page.find('<article id="engagement-', start + 1)
    return page[start : end if end >= 0 else len(page)]


def test_a_stop_holds_its_backup_its_check_and_its_chat(
    app: FastAPI,
    client: TestClient,
    make_staff: MakeStaff,
    clock: Clock,
    app_sessions: sessionmaker[Session],
) -> None:
    put_on_duty(app_sessions, clock, "DC1", dress=Dress.PLAIN_CLOTHES, team="CID-2", at=CENTRE)
    put_on_duty(app_sessions, clock, "PC9", dress=Dress.UNIFORM, team="RESP-1", at=FAR)
    logged = officer_app(app, make_staff, clock, "DC1").log("stop", at=CENTRE).json()
    result = check(client, "DC1", logged["code"]["code"]).json()
    client.post(
        "/api/v1/chat/messages",
        json={"body": "Is DC1 real?", "client_id": "m1"},
        headers={"X-Verification-Token": result["token"]},
    )
    page = staff_client(app, make_staff, clock, Role.OPERATOR).get("/console").text
    card = _card(page, f"engagement-{logged['engagement']['id']}")
    assert "Officer PC9" in card  # the backup sent to it
    assert "Checked by the public: confirmed" in card
    assert "Is DC1 real?" in card and 'id="reply-' in card  # the chat, with its reply box
    assert re.search(r'<time datetime="[^"]+" data-relative>\d\d:\d\d</time>', card)
    lat, lon = CENTRE[1], CENTRE[0]
    assert f'href="geo:{lat:.6f},{lon:.6f}"' in card  # opens in the operator's map app
    assert "UTC" not in page


def test_repeated_failed_checks_of_one_number_fold_into_one_line(
    app: FastAPI,
    client: TestClient,
    make_staff: MakeStaff,
    clock: Clock,
    app_sessions: sessionmaker[Session],
) -> None:
    put_on_duty(app_sessions, clock, "PC1", dress=Dress.UNIFORM, at=CENTRE)
    officer_app(app, make_staff, clock, "PC1").log("stop", at=CENTRE)
    for _ in range(2):  # two wrong codes: the third would burn the code
        check(client, "PC1", "00000000")
    check(client, "PC1", "11111111", place="Bus stop on Albert Road")  # says where: its own line
    page = staff_client(app, make_staff, clock, Role.OPERATOR).get("/console").text
    alerts = page[page.index('id="alerts"') : page.index('id="engagements"')]
    assert alerts.count('class="alert"') == 2
    assert "2 times since" in alerts and "Bus stop on Albert Road" in alerts
    assert alerts.count("data-alert=") == 3  # each check can still be acknowledged
