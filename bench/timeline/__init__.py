"""One run per implementation laid out step by step from each tool's own records (a Gantt chart),
and its wall time split into phases.
"""
