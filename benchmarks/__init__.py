"""Speed benchmarks of the market model (issue 6). Run ``python -m benchmarks``;
see docs/performance.md. Benchmarks print figures; no test asserts a time."""
