"""Questions, feedback and knowledge gaps in SQL (SQLite by default, PostgreSQL for replicas)."""
