"""Per-key ordering of a batch and the collection of produced records' acknowledgements."""

import asyncio

import pytest

from socialcare_runtime.stream_batches import Deliveries, in_key_order, track_delivery

pytestmark = pytest.mark.unit
BATCH = [("a", 1), ("b", 1), ("a", 2), ("c", 1), ("b", 2), ("a", 3)]


async def run(concurrent: bool) -> tuple[list[tuple[str, int]], int]:
    """Runs the batch with work that yields mid-way; returns the finishing order and the
    most items that were in progress at once."""
    done: list[tuple[str, int]] = []
    active = peak = 0

    async def work(item: tuple[str, int]) -> None:
        nonlocal active, peak
        active += 1
        peak = max(peak, active)
        await asyncio.sleep(0.001 * (4 - item[1]))  # later items of a key finish sooner
        done.append(item)
        active -= 1

    await in_key_order(BATCH, lambda item: item[0], work, concurrent)
    return done, peak


@pytest.mark.parametrize("concurrent", [False, True])
async def test_each_keys_items_finish_in_batch_order(concurrent: bool) -> None:
    done, peak = await run(concurrent)
    assert sorted(done) == sorted(BATCH)
    for key in "abc":
        assert [n for k, n in done if k == key] == [n for k, n in BATCH if k == key]
    # Sequential work never overlaps; concurrent work overlaps one item per key.
    assert peak == (3 if concurrent else 1)


async def test_deliveries_collect_inside_the_batch_only_and_raise_a_failure() -> None:
    loop = asyncio.get_running_loop()
    outside = loop.create_future()
    assert not track_delivery(outside, "t")  # no batch being processed: nothing collects it
    ok, failed = loop.create_future(), loop.create_future()
    with Deliveries() as deliveries:
        assert track_delivery(ok, "t") and track_delivery(failed, "t")
    assert deliveries.pending == [ok, failed] and deliveries.published == {"t": 2}
    ok.set_result(None)
    failed.set_exception(ConnectionError("broker gone"))
    with pytest.raises(ConnectionError):
        await deliveries.acknowledged()
    outside.cancel()
