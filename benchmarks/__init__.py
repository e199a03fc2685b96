"""Benchmarks: scripts that measure and print figures (never timed assertions in tests).

Run them all with ``python3 dev.py bench`` or one with ``python3 dev.py bench NAME``.
Record every figure, with the command and the machine, in docs/performance.md.
"""
