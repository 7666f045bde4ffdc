"""Lineage and checks: what each tool records of the pipeline's graph and data-quality results,
read back from its own store after a run and compared with the true graph.
"""
