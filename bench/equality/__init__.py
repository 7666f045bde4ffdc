"""Output equality: every implementation's files equal plain scripts', and plain scripts' equal the
independent rules oracle's.
"""
