"""Benchmarks of the whole system (`python -m bench`) and the synthetic cohort generator
(`python -m bench.cohort`). Never part of the test suite; a tiny smoke run is."""
