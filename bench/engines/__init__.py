"""Engines: the dbt project on DuckDB and on Spark, plain scripts on both and every orchestrator on
Spark, with equal outputs.
"""
