"""Full garbage collections run on a schedule, never in the middle of a fan-out."""

import gc

import gc_policy


def test_automatic_full_collections_are_off_and_start_up_objects_frozen():
    saved = gc.get_threshold()
    try:
        gc_policy.apply()
        assert gc.get_threshold() == (
            gc_policy.YOUNG_THRESHOLD,
            gc_policy.MIDDLE_THRESHOLD,
            gc_policy.NEVER,
        )
        assert gc.get_freeze_count() > 0
    finally:
        gc.set_threshold(*saved)
        gc.unfreeze()


async def test_the_scheduled_collection_collects_the_old_generation():
    before = gc.get_stats()[2]["collections"]
    await gc_policy.collect_old()
    assert gc.get_stats()[2]["collections"] == before + 1


async def test_the_server_runs_the_scheduled_collection_and_times_every_pause(server):
    # The schedule starts with one collection; every pause is timed into /metrics.
    assert await server.metric('bnm_gc_pause_seconds_count{generation="2"}') >= 1
