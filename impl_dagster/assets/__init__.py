"""The pipeline's assets: raw tables from the input files, the dbt models, and the output files."""
