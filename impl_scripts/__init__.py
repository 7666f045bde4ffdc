"""The pipeline as plain Python: the zero-overhead baseline the orchestrators are measured against."""
