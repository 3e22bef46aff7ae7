"""Intake: where a person enters the platform (clients, help requests, consent, assignment)."""
