"""`streetlight serve`: migrate the operational database, then serve the web app with uvicorn."""

from __future__ import annotations

import os

import typer

from streetlight.cli.options import DatabaseOption, DataOption, database_url
from streetlight.cli.terminal import cli_errors, out


def serve_command(
    store: DataOption = None,
    database: DatabaseOption = None,
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="Port to listen on."),
    workers: int = typer.Option(
        1,
        "--workers",
        min=1,
        max=64,
        help="App processes (about one per core); they share the database.",
    ),
) -> None:
    """Serve the web app: public pages (en/fr), staff sign-in, the JSON API under /api/v1.

    Applies database migrations first. Settings also come from STREETLIGHT_* environment
    variables (STREETLIGHT_SECRET_KEY, STREETLIGHT_BEHIND_TLS, ...). Every app process builds its
    app from that environment, so --store and --database are put there for them.
    """
    # Imported here: the web stack is heavy, and other commands should not pay for it.
    from streetlight.db.engine import display_url
    from streetlight.db.migrate import current_revision, open_database
    from streetlight.web import server
    from streetlight.web.settings import load_settings

    with cli_errors():
        overrides: dict[str, object] = {}
        if store is not None:
            overrides["store"] = store
        if database is not None:
            overrides["database_url"] = database
        settings = load_settings(**overrides)
        url = database_url(settings.store, settings.database_url)
        engine = open_database(url)
        revision = current_revision(engine)
        engine.dispose()
        settings.secret()  # a development key is written once, here, before the processes start
    if store is not None:
        os.environ["STREETLIGHT_STORE"] = str(store)
    if database is not None:
        os.environ["STREETLIGHT_DATABASE_URL"] = database
    out.print(f"database {display_url(url)} at revision {revision}", soft_wrap=True)
    processes = f", {workers} processes" if workers > 1 else ""
    out.print(f"Streetlight on http://{host}:{port}/{processes} (Ctrl-C stops it)")
    server.run(host=host, port=port, workers=workers)
