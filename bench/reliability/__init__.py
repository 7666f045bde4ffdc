"""Reliability: the bad-input corpus and the fault scenario through every implementation, refused
paths, and a scan for secrets in everything a run leaves.
"""
