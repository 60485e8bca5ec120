"""Insights and the training-needs report for trainers (see service.py)."""
