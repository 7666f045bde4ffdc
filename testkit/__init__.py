"""What both the tests (``tests/``) and the harness (``bench/``) judge the pipeline with.

- :mod:`testkit.rules_oracle`: an independent, deliberately naive reading of the rules page; it
  imports nothing from ``core`` or the dbt project, so a shared mistake cannot hide;
- :mod:`testkit.bad_inputs`: the bad-input corpus, each case with the outcome the rules demand;
- :mod:`testkit.faults`: the fault scenario every implementation must recover from;
- :mod:`testkit.folders`, :mod:`testkit.prerequisites`: fresh work folders, and skipping (or,
  under CI, failing) when a prerequisite such as Java is missing.
"""
