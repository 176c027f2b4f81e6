"""The operational database: officers, duty, staff, sessions, rate limits and the audit log.

SQLAlchemy 2 models (`models/`), engines that behave the same on SQLite and PostgreSQL (`engine.py`),
Alembic migrations shipped inside the package (`migrations/`, applied by `migrate.upgrade`), and the
few domain operations that must be one transaction each (`officers.py`, `audit.py`, `ratelimit.py`).
The analytics never write here; the incident store (Parquet) is separate on purpose (DESIGN.md).
"""
