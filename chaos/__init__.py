"""The fault campaign (`make chaos`): load, faults, throw-away broker nodes, and the checks at the end."""
