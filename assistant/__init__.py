"""Signpost: a cited knowledge assistant for adult social care practitioners."""

__version__ = "0.1.0"
