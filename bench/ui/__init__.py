"""The UIs: each tool's UI started on our pipeline in headless Chromium: start-up, a screenshot of
the lineage graph, hot reload, and the ADR's local-development criteria.
"""
