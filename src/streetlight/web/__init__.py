"""The web app: public pages (en/fr), staff pages and the JSON API under `/api/v1`.

Build it with `streetlight.web.app.create_app(settings)`; nothing is configured at import.
"""
