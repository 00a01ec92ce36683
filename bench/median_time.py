"""The timing rule every Python reference of `gpurun bench` shares: one warm-up call, then
repeats until both `min_repeats` calls and `min_seconds` have passed (at most `max_repeats`),
and the median of the repeats, in seconds."""
import time


def median_time(fn, min_seconds, min_repeats=3, max_repeats=50):
    fn()
    times = []
    start = time.perf_counter()
    while len(times) < min_repeats or time.perf_counter() - start < min_seconds:
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
        if len(times) >= max_repeats:
            break
    times.sort()
    return times[len(times) // 2]
