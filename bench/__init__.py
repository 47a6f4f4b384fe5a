"""Playroll benchmarks: ratios measured in one run, printed by ``python -m bench``.

Each part compares the real path with a bare baseline measured in the same process on
the same machine, so the ratios stay comparable across machines; see ``bench/README.md``.
"""
