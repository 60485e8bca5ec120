"""The Slack surface (slack-bolt): mentions, thread follow-ups, DMs, /signpost, feedback."""
