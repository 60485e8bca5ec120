"""Trainer-verified answers (see service.py)."""
