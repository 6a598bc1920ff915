#!/usr/bin/env python3
"""Client latencies around the sync's switch, from pgbench's per-transaction logs (pgbench -l).

Usage: latency-window.py FINISHED_AT LOG...   (FINISHED_AT: the sync's finishedAt, ISO 8601)
Prints: transactions in the window, their p99 and max latency (ms), and the p99 (ms) of the rest of the run. The
window is the transactions that completed from 3 s before the sync ended to 1 s after: the switch's pause ends just
before the sync does (then the slot is dropped), so the transactions it held back complete in it.
"""
import sys
from datetime import datetime


def percentile(values, fraction):
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


finished = datetime.fromisoformat(sys.argv[1].replace("Z", "+00:00")).timestamp()
inside, outside = [], []
for path in sys.argv[2:]:
    with open(path) as log:
        for line in log:
            fields = line.split()
            # client_id transaction_no latency_us script_no epoch_s epoch_us [lag]
            if len(fields) < 6 or fields[2] == "skipped":
                continue
            latency_ms = int(fields[2]) / 1000.0
            done = int(fields[4]) + int(fields[5]) / 1e6
            (inside if finished - 3 <= done <= finished + 1 else outside).append(latency_ms)
# "-" where the window is empty: the load had ended before the sync switched.
print(len(inside), "%.1f" % percentile(inside, 0.99) if inside else "-", "%.1f" % max(inside) if inside else "-",
      "%.1f" % percentile(outside, 0.99) if outside else "-")
