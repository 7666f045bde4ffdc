"""The errors a user sees, each told in one line that names the file, row, column or resource."""


class PipelineError(Exception):
    """A run stopped for a reason the user can act on; the CLI prints the message alone."""


class PipelineInputError(PipelineError):
    """Raised for input the pipeline refuses to load; the message names the file, row or column."""


class QualityCheckFailed(PipelineError):
    """A reconciliation check failed: the outputs were written, but they cannot be trusted."""


# Failures a retry cannot fix: the same input fails the same way every time. Every orchestrator
# retries a step on anything else (a held file lock, a killed process) and never on these.
PERMANENT_ERRORS: tuple[type[PipelineError], ...] = (PipelineInputError, QualityCheckFailed)


def is_permanent(error: BaseException | None) -> bool:
    return isinstance(error, PERMANENT_ERRORS)


def permanent_error_named(name: str, message: str) -> PipelineError | None:
    """The permanent error of that class name, rebuilt from its message (an error that crossed a
    process boundary as text); None for any other name."""
    by_name = {error.__name__: error for error in PERMANENT_ERRORS}
    return by_name[name](message) if name in by_name else None


class WarehouseInUse(PipelineError):
    """Another process holds the run's DuckDB file (DuckDB allows one writer per file)."""


class UsageError(PipelineError):
    """A path the run cannot use (``--input`` missing or a file, ``--output`` not writable): refused
    before anything is created."""


class OutputFolderBusy(PipelineError):
    """Another run holds the output folder (:mod:`core.run_folders`); this one did nothing."""
