"""Overhead as the dbt project grows: generated projects of N models in three shapes, run by every
implementation; the per-model cost of each integration mode.
"""
