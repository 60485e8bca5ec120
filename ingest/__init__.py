"""Turning files into indexed, citable chunks. Never imports `assistant`."""
