"""`python server.py [ARGS]` with the cheap password hashing of tests/cheap_hashing.py; the app,
its lifespan and uvicorn are the real ones."""

import runpy
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[0] = str(ROOT)  # as `python server.py` would have it

from services import passwords  # noqa: E402
from tests.cheap_hashing import patches  # noqa: E402

for name, value in patches().items():
    setattr(passwords, name, value)
runpy.run_path(str(ROOT / "server.py"), run_name="__main__")
