"""Runs on an existing Dask distributed cluster, given its scheduler address.

The scheduler and every worker must be able to import this package (install
it on them; a function defined in a notebook or test module will not run
there). Each task carries its own seed, so results equal those of the local
process pool bit for bit. A task whose worker dies is rerun on another worker
by the scheduler (up to ``distributed.scheduler.allowed-failures`` times).
"""

from __future__ import annotations

from typing import Any

from .engine import Engine


class DaskEngine(Engine):
    """Submit tasks to the Dask scheduler at ``address`` (``tcp://HOST:PORT``)."""

    def __init__(self, address: str, connect_timeout: float = 10.0):
        self.address = address
        self.connect_timeout = connect_timeout

    def connect(self):
        """A client of the cluster; ConnectionError naming the address if it cannot be reached."""
        from distributed import Client

        try:
            return Client(self.address, timeout=self.connect_timeout, set_as_default=False)
        except (OSError, TimeoutError) as err:
            raise ConnectionError(f"cannot reach the Dask scheduler at {self.address}: {err}") from None

    def run(self, fn, tasks, on_result=None):
        from distributed import as_completed

        tasks = list(tasks)
        results: list[Any] = [None] * len(tasks)
        if not tasks:
            return results
        with self.connect() as client:
            futures = [client.submit(fn, *task, pure=False) for task in tasks]
            index = {future.key: i for i, future in enumerate(futures)}
            try:
                for future in as_completed(futures, loop=client.loop):
                    i = index[future.key]
                    results[i] = future.result()
                    future.release()
                    if on_result:
                        on_result(i, results[i])
            except BaseException:
                client.cancel(futures)
                raise
        return results

    def __repr__(self) -> str:
        return f"DaskEngine({self.address!r})"
