"""Running test code in real threads, each with its own database connection, released
together: the house way to test a guarantee under concurrency (see
tests/activities/test_room_clash_concurrency.py and tests/bookings/)."""

import threading

from django.db import connection


def run_together(functions, *, workers: int | None = None, timeout: float = 60):
    """Run the functions in threads released at once by one barrier: one thread each, or
    ``workers`` threads each running its share one after another. Returns what each
    function returned or raised, in order."""
    workers = min(workers or len(functions), len(functions))
    barrier = threading.Barrier(workers)
    results = [None] * len(functions)

    def worker(first):
        try:
            barrier.wait(timeout=timeout)
            for index in range(first, len(functions), workers):
                try:
                    results[index] = functions[index]()
                except Exception as error:  # noqa: BLE001 (collected for the assertions)
                    results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout * 2)
    assert not any(thread.is_alive() for thread in threads), "a thread did not finish in time"
    return results
