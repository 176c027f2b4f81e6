"""TOTP secrets are stored sealed under a key the database does not hold: a copy of the database
gives no account's codes, a sealed secret moved to another account opens for neither, a secret
stored before sealing still works and is sealed at the next sign-in, and one sealed under another
server secret fails closed."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from streetlight.db.models import Role, StaffUser
from streetlight.staff import totp
from streetlight.staff.accounts import AccountError, reset_totp
from tests.web.conftest import TOTP_KEY, Clock, MakeStaff, Staff, sign_in


def _stored(sessions: sessionmaker[Session], username: str) -> str:
    with sessions() as session:
        value = session.scalar(
            select(StaffUser.totp_secret).where(func.lower(StaffUser.username) == username)
        )
    assert value is not None
    return value


def _store(sessions: sessionmaker[Session], username: str, value: str) -> None:
    with sessions.begin() as session:
        session.execute(
            update(StaffUser).where(StaffUser.username == username).values(totp_secret=value)
        )


def test_the_database_holds_no_secret_in_clear(
    make_staff: MakeStaff, app_sessions: sessionmaker[Session]
) -> None:
    staff = make_staff(Role.OPERATOR, "op1")
    stored = _stored(app_sessions, "op1")
    assert staff.secret not in stored and len(stored) == 64 and totp.is_sealed(stored)
    assert totp.unseal(TOTP_KEY, stored, "op1") == staff.secret
    assert totp.unseal(TOTP_KEY, stored, "OP1 ") == staff.secret  # the name as looked up
    assert totp.unseal(TOTP_KEY, stored, "op2") is None  # bound to its account
    assert totp.unseal(totp.sealing_key(b"another server"), stored, "op1") is None


def test_a_sealed_secret_moved_to_another_account_opens_for_neither(
    client: TestClient, make_staff: MakeStaff, app_sessions: sessionmaker[Session], clock: Clock
) -> None:
    """Someone who can write to the database and knows their own secret cannot give it to
    another account."""
    mine = make_staff(Role.OPERATOR, "op1")
    theirs = make_staff(Role.ADMIN, "admin1")
    _store(app_sessions, "admin1", _stored(app_sessions, "op1"))
    as_admin_with_my_codes = Staff("admin1", theirs.password, mine.secret, Role.ADMIN)
    assert sign_in(client, as_admin_with_my_codes, clock).status_code == 401


def test_a_secret_stored_before_sealing_works_and_is_sealed_at_sign_in(
    client: TestClient, make_staff: MakeStaff, app_sessions: sessionmaker[Session], clock: Clock
) -> None:
    staff = make_staff(Role.SUPERVISOR, "sup1")
    _store(app_sessions, "sup1", staff.secret)  # as a database from before sealing holds it
    assert sign_in(client, staff, clock).status_code == 303
    stored = _stored(app_sessions, "sup1")
    assert totp.is_sealed(stored) and totp.unseal(TOTP_KEY, stored, "sup1") == staff.secret


def test_a_secret_sealed_under_another_server_secret_fails_closed(
    client: TestClient,
    make_staff: MakeStaff,
    app_sessions: sessionmaker[Session],
    clock: Clock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    staff = make_staff(Role.OPERATOR, "op9")
    _store(app_sessions, "op9", totp.seal(totp.sealing_key(b"old server"), staff.secret, "op9"))
    with caplog.at_level(logging.ERROR):
        assert sign_in(client, staff, clock).status_code == 401
    assert "cannot be opened" in caplog.text and staff.secret not in caplog.text


def test_a_reset_secret_replaces_the_old_one_at_once(
    client: TestClient, make_staff: MakeStaff, app_sessions: sessionmaker[Session], clock: Clock
) -> None:
    """After a changed server secret (or a lost phone) an admin gives the account a new one."""
    staff = make_staff(Role.OPERATOR, "op5")
    _store(app_sessions, "op5", totp.seal(totp.sealing_key(b"old server"), staff.secret, "op5"))
    with app_sessions.begin() as session:
        fresh = reset_totp(session, username="OP5", totp_key=TOTP_KEY, now=clock())
    assert fresh.totp_secret != staff.secret and "Streetlight:op5" in fresh.totp_uri
    assert sign_in(client, staff, clock).status_code == 401
    renewed = Staff("op5", staff.password, fresh.totp_secret, Role.OPERATOR)
    assert sign_in(client, renewed, clock).status_code == 303
    with pytest.raises(AccountError, match="no account 'nobody'"), app_sessions.begin() as session:
        reset_totp(session, username="nobody", totp_key=TOTP_KEY, now=clock())
