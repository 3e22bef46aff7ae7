"""Who may do what in intake, by the actor's role (checked with ``shared.access.allow``)."""
CASEWORK = frozenset({"social_assistant", "criminologist", "jurist", "coordinator"})
COORDINATOR = frozenset({"coordinator"})
ADMIN = frozenset({"admin"})
# Who decides an erasure requested by a coordinator (GDPR art. 17): a second person.
DATA_PROTECTION = frozenset({"admin", "data_protection_officer"})
