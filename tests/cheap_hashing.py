"""argon2id at the production cost takes 0.1-0.7 s a hash on this machine kind, and the suite signs
up and logs in hundreds of people. Tests hash with the same algorithm at a tiny cost: in the test
process (tests/conftest.py) and in the servers it starts (tests/run_server.py)."""

from argon2 import PasswordHasher

CHEAP = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


def patches() -> dict[str, object]:
    """The attributes of services.passwords to replace."""
    return {"_hasher": CHEAP, "_DUMMY_HASH": CHEAP.hash("not-a-real-password")}
