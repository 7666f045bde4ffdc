"""The errors a user sees, each told in one line that names the file, row, column or resource."""


class PipelineError(Exception):
    """A run stopped for a reason the user can act on; the CLI prints the message alone."""


class PipelineInputError(PipelineError):
    """Raised for input the pipeline refuses to load; the message names the file, row or column."""


class WarehouseInUse(PipelineError):
    """Another process holds the run's DuckDB file (DuckDB allows one writer per file)."""
