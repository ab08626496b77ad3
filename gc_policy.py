"""When the garbage collector may stop the event loop.

CPython's automatic full (generation 2) collection walks every live object. With thousands of
WebSocket connections that is most of the heap, and it runs whenever enough objects have been
promoted — often in the middle of a fan-out, where it froze one delivery for ~0.8 s with 5,000
subscribers (benchmarks/fanout.py). So:

- objects that exist at start (schema, models, modules) are frozen: never scanned again;
- the young generations are still collected automatically, less often (fewer transient
  in-flight objects get promoted to the old generation);
- automatic full collections are off; `collect_old()` runs one every `GC_FULL_SECONDS`
  (default 600), so cyclic garbage in the old generation lives at most that long.
"""

import asyncio
import gc

YOUNG_THRESHOLD = 20_000  # allocations minus deallocations before a generation-0 collection
MIDDLE_THRESHOLD = 20  # generation-0 collections before a generation-1 collection
NEVER = 2**31 - 1


def apply() -> None:
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_THRESHOLD, MIDDLE_THRESHOLD, NEVER)


async def collect_old() -> None:
    gc.collect()
    await asyncio.sleep(0)
