"""What ``lc-pipeline`` needs to start the Airflow implementation, apart from its definitions
(``impl_airflow/dags``, ``impl_airflow/assets.py``): a run in a child process with its own
Airflow home (``pipeline``, ``runner``), the dbt manifest cosmos renders from (``manifest``), and
Airflow's UI on a run's metadata DB (``ui``)."""
