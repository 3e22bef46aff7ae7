"""Guidance: the support trajectory and every intervention in it."""
