"""What keeps people safe: personal-data redaction, and the notices beside an answer
(safeguarding, other UK nations, stale sources)."""
