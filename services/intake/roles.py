"""Who may do what in intake, by the actor's role (checked with ``shared.access.allow``)."""
CASEWORK = frozenset({"social_assistant", "criminologist", "jurist", "coordinator"})
COORDINATOR = frozenset({"coordinator"})
ADMIN = frozenset({"admin"})
