"""Runtime and memory: every implementation timed in cold and warm rounds against plain scripts
and the limit (our core plus the models' SQL); the performance targets.
"""
