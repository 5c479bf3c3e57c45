"""Runs on an existing Dask distributed cluster, given its scheduler address.

The scheduler and every worker must be able to import this package (install
it on them; a function defined in a notebook or test module will not run
there). Each task carries its own seed, so results equal those of the local
process pool bit for bit. A task whose worker dies is rerun on another worker
by the scheduler (up to ``distributed.scheduler.allowed-failures`` times).

Connecting takes at most ``connect_timeout`` + :data:`GRACE` seconds (12 s by
default), whatever answers at the address: nothing (a dropped or refused
connection), or a server that is not a Dask scheduler and never completes
Dask's handshake (an HTTP server, say), which would otherwise hold the
command for ever. Then a :class:`ConnectionError` names the address.
"""

from __future__ import annotations

import contextlib
import gc
import threading
from typing import Any

from .engine import Engine

GRACE = 2.0
"""Seconds given to Dask's client beyond its own timeout, to report why it could not connect."""


class DaskEngine(Engine):
    """Submit tasks to the Dask scheduler at ``address`` (``tcp://HOST:PORT``)."""

    def __init__(self, address: str, connect_timeout: float = 10.0):
        self.address = address
        self.connect_timeout = connect_timeout
        self._session = None  # the client kept between runs, inside ``with``

    def __enter__(self) -> DaskEngine:
        self._session = self.connect()
        return self

    def __exit__(self, *exc: object) -> None:
        client, self._session = self._session, None
        if client is not None:
            client.close()

    def connect(self):
        """A client of the cluster, within ``connect_timeout`` + :data:`GRACE` seconds; else a
        ConnectionError naming the address."""
        from distributed import Client

        outcome: dict[str, Any] = {}
        lock, done = threading.Lock(), threading.Event()

        def attempt() -> None:  # on a thread of its own: a handshake that never ends cannot hold the caller
            try:
                client = Client(self.address, timeout=self.connect_timeout, set_as_default=False)
            except Exception as err:  # OSError, TimeoutError; ValueError for a malformed address
                outcome["error"] = _reason(err)
            else:
                with lock:
                    if "abandoned" in outcome:
                        client.close()
                    else:
                        outcome["client"] = client
            done.set()
            if "error" in outcome:
                gc.collect()  # the half-made client's __del__ may wait 20 s to close it: here, not at exit

        threading.Thread(target=attempt, name="marketsim-dask-connect", daemon=True).start()
        done.wait(self.connect_timeout + GRACE)
        with lock:
            if "client" in outcome:
                return outcome["client"]
            outcome["abandoned"] = True
        if "error" in outcome:
            raise ConnectionError(f"cannot reach the Dask scheduler at {self.address}: {outcome['error']}")
        raise ConnectionError(f"no Dask scheduler answered at {self.address} within "
                              f"{self.connect_timeout + GRACE:g} s (something may listen there that is not one)")

    def run(self, fn, tasks, on_result=None):
        from distributed import as_completed

        tasks = list(tasks)
        results: list[Any] = [None] * len(tasks)
        if not tasks:
            return results
        with contextlib.nullcontext(self._session) if self._session else self.connect() as client:
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


def _reason(err: Exception) -> str:
    """Why a connection failed, in words (the text only: its traceback holds the half-made client)."""
    if isinstance(err, MemoryError):  # a frame length read from a server that does not speak Dask's protocol
        return "what answers there does not speak Dask's protocol"
    return str(err) or type(err).__name__
