"""The pipeline on Dagster: one asset graph from the input files through dbt to the output files (see README.md)."""
