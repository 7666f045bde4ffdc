"""What ``lc-pipeline`` needs to start the Prefect implementation, apart from its definitions
(``impl_prefect/flows.py``, ``tasks.py``, ``assets.py``): one flow run with Prefect's settings
scoped to the run's folder and a temporary server when none is configured (``pipeline``,
``runtime``)."""
