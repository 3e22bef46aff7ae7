"""``make bench``: the platform's throughput and latency, each beside a raw baseline
measured in the same run on the same servers.

Each comparison is a function of a ``bench.resources.Resources`` returning result
rows (``bench.report.Row``); ``bench.__main__.COMPARISONS`` lists them in order, so a
new comparison is one more module with one such function, added to that list.
"""
