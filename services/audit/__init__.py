"""Audit: the cross-service timeline per client, replays, and who read what."""
