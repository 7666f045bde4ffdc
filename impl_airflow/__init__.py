"""The LendingClub pipeline as an Airflow 3 DAG (``dags/lc_pipeline.py``), dbt rendered by astronomer-cosmos."""
