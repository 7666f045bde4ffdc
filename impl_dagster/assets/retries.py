"""When a step is retried: transient failures yes (a held file lock, a killed process, an injected
fault), bad input and failed data-quality checks never, since they fail the same way every time."""

from collections.abc import Iterator
from contextlib import contextmanager

from dagster import Backoff, Failure, RetryPolicy

from core.errors import PERMANENT_ERRORS

# Two more attempts, 2 s then 4 s later: as Prefect's tasks and (with a longer base) Airflow's.
TRANSIENT_RETRIES = RetryPolicy(max_retries=2, delay=2, backoff=Backoff.EXPONENTIAL)


@contextmanager
def permanent_failures() -> Iterator[None]:
    """Turn bad input and failed checks into a ``Failure`` that opts out of the retry policy."""
    try:
        yield
    except PERMANENT_ERRORS as error:
        raise Failure(description=str(error), allow_retries=False) from error
