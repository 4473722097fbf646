"""Promotion-spike benchmark: the whole stack under a 10x traffic spike, through its front door.

Run it with ``python -m bench.spike``; the parts: ``traffic`` (the rate schedule),
``source`` (the messages), ``driver`` (ingest client and scripted agent), ``samplers``
(consumer lag, topic offsets, CPU and memory), ``raw_kafka`` (the broker's own round trip),
``stats`` (percentiles, rates, drain time), ``run`` (one run) and ``report`` (table, plot).
"""
