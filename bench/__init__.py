"""The comparison harness: ``pytest bench/`` re-checks ADR 001 with measurements."""
