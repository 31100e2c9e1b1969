"""Benchmarks: `make bench` (`python -m sixdegrees.bench [NAME …]`) writes docs/benchmarks.md.

Each benchmark is a module in this package with a `SECTION` name and a `run(options)` that
returns its Markdown; report.update_section() replaces only that benchmark's section of the
file (between `<!-- bench:NAME -->` markers), so benchmarks can be run and added one by one.
"""
