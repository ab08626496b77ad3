"""Runs the Python examples of docs/ for tests/test_docs_examples.py, each in a process of its own,
without paying for a new interpreter and the gql import every time: this process imports what the
examples import once, then forks a child per request that runs the example's code as
`python -c CODE` would (`__main__`, a fresh namespace, the request's environment and nothing on
stdin). One JSON line in (code, env, timeout), one out (status, stdout, stderr)."""

import json
import os
import signal
import sys
import tempfile
import traceback

# What the examples import, imported once before forking.
import gql.transport.exceptions
import gql.transport.httpx
import gql.transport.websockets  # noqa: F401


def child(code: str, env: dict[str, str], timeout: int, out: int, err: int) -> None:
    status = 1
    try:
        os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
        os.dup2(out, 1)
        os.dup2(err, 2)
        os.environ.clear()
        os.environ.update(env)
        sys.argv = ["-c"]
        signal.alarm(timeout)  # a hanging example dies like a killed process
        try:
            exec(compile(code, "<string>", "exec"), {"__name__": "__main__"})  # noqa: S102
            status = 0
        except SystemExit as exit:
            if exit.code is None or isinstance(exit.code, int):
                status = exit.code or 0
            else:
                print(exit.code, file=sys.stderr)
        except BaseException:
            traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)


def run(request: dict) -> dict:
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        pid = os.fork()
        if pid == 0:
            child(request["code"], request["env"], request["timeout"], out.fileno(), err.fileno())
        _, wait_status = os.waitpid(pid, 0)
        outputs = []
        for stream in (out, err):
            stream.seek(0)
            outputs.append(stream.read().decode(errors="replace"))
    return {"status": os.waitstatus_to_exitcode(wait_status), "stdout": outputs[0],
            "stderr": outputs[1]}  # fmt: skip


def main() -> None:
    for line in sys.stdin:
        print(json.dumps(run(json.loads(line))), flush=True)


if __name__ == "__main__":
    main()
