"""The one error type a user sees: a bad input or setting, told in one line."""


class PipelineInputError(Exception):
    """Raised for input the pipeline refuses to load; the message names the file, row or column."""
