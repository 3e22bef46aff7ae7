"""What every service of the platform needs: contracts, store and messaging wiring, metrics, logs.

No domain logic lives here; each service's domain is under ``services/<name>/``.
"""
