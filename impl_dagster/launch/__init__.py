"""What our CLI needs to start Dagster: one in-process run (:mod:`.pipeline`), the deployed stack (:mod:`.deploy`)."""
