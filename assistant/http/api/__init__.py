"""The JSON API routers, one per resource: ask, documents, insights, health."""
