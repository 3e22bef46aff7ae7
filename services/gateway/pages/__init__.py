"""The web pages for people: server-rendered HTML forms on the gateway (``app.py``)."""
from services.gateway.pages.app import Pages

__all__ = ["Pages"]
