"""Orchestrator-free building blocks of the LendingClub pipeline.

Every implementation (Dagster, Airflow, Prefect, plain scripts) calls these functions and the one
dbt project under ``dbt/``; nothing in an orchestrator layer transforms data.
"""
