"""Shared by every surface: API and trainer keys, trainer page sessions, rate limits and the
failed-attempt throttle."""
