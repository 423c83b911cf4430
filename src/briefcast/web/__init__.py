"""The HTTP API (FastAPI). The only package besides the CLI that imports a web framework."""

from briefcast.web.app import create_app

__all__ = ["create_app"]
