"""What happens on Signpost, in SQL (SQLite by default, PostgreSQL for replicas): questions,
feedback, knowledge gaps, Slack event and thread records, page sessions, and the writer lock."""
