"""The one place the HTTP app is built (FastAPI): `api/` routers and `web/` pages as siblings,
with the middleware, error mapping and API docs they share."""
