"""The report: ``report.md`` and ``results.json`` from everything a session measured, and the
closing summary in the terminal.
"""
