"""`streetlight serve`: migrate the operational database, then serve the web app with uvicorn."""

from __future__ import annotations

import typer

from streetlight.cli.options import DatabaseOption, DataOption, ForwardedAllowIpsOption
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
    forwarded_allow_ips: ForwardedAllowIpsOption = None,
) -> None:
    """Serve the web app: public pages (en/fr), staff sign-in, the JSON API under /api/v1.

    Applies database migrations first. Settings also come from STREETLIGHT_* environment
    variables (STREETLIGHT_SECRET_KEY, STREETLIGHT_BEHIND_TLS, ...). Every app process builds its
    app from that environment, so --store, --database and --forwarded-allow-ips are put there for
    them. Behind a load balancer, name it with --forwarded-allow-ips: otherwise every client
    seems to be the load balancer, and shares its per-client limits.
    """
    # Imported here: the web stack is heavy, and other commands should not pay for it.
    from streetlight.web import server

    with cli_errors():
        ready = server.prepare(
            store=store, database=database, forwarded_allow_ips=forwarded_allow_ips
        )
    out.print(f"database {ready.database} at revision {ready.revision}", soft_wrap=True)
    processes = f", {workers} processes" if workers > 1 else ""
    out.print(f"Streetlight on http://{host}:{port}/{processes} (Ctrl-C stops it)")
    server.run(host=host, port=port, workers=workers)
