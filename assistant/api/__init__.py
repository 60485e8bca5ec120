"""The HTTP surface (FastAPI): thin routers over the service."""
