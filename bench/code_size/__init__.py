"""Code size and typing: lines of each implementation (definitions apart from launcher), the
framework APIs it uses, and how much of it mypy can type.
"""
