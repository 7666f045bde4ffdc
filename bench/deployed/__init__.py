"""Deployed: each tool's production stack on PostgreSQL, measured through its own API (opt-in,
``pytest bench --deployed``).
"""
