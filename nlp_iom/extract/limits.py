"""Run one read in a child process, bounded in time and memory.

A crafted PDF can inflate a 1 MB file into gigabytes (a decompression bomb) or abort the process
from inside pdfium; a pathological text can hang a parser. :func:`run_limited` runs the read in a
forked child whose address space may grow by at most ``memory_mb`` (``RLIMIT_AS`` over what the
child starts with) and which is killed after ``seconds``. Whatever happens there, the caller gets
the result or a typed :class:`~nlp_iom.errors.InputError` naming the file:

* :class:`~nlp_iom.errors.ExtractionTimeoutError` when the time runs out;
* :class:`~nlp_iom.errors.ResourceLimitError` when the child runs out of its memory allowance
  (a ``MemoryError``, or a native abort under the cap);
* the child's own ``InputError``, re-raised with the same type and cause.
"""

from __future__ import annotations

import faulthandler
import multiprocessing
import signal
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from nlp_iom import errors
from nlp_iom.errors import ExtractionTimeoutError, InputError, ResourceLimitError

#: Default growth of the reader child's address space, in MB (``ReadSettings.max_memory_mb``).
#: The largest real documents in ../shared/pdfs read within a few hundred MB.
DEFAULT_MAX_MEMORY_MB = 2048
#: Signals by which a native library dies when an allocation fails under the cap.
ALLOCATION_DEATHS = (signal.SIGABRT, signal.SIGSEGV, signal.SIGBUS, signal.SIGKILL)


def address_space_bytes() -> int | None:
    """This process's virtual size (``VmSize``), or None where ``/proc`` does not tell."""
    try:
        with open("/proc/self/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        return None
    return None


def cap_memory(megabytes: int) -> bool:
    """Let this process's address space grow by at most ``megabytes``; False where that cannot be set."""
    try:
        import resource
    except ImportError:  # not on POSIX
        return False
    current = address_space_bytes()
    if current is None:
        return False
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = current + megabytes * 2**20
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    return True


def _child(func: Callable[..., Any], args: tuple[Any, ...], memory_mb: int | None, conn: Connection) -> None:
    try:
        faulthandler.disable()  # a native abort under the cap is expected here, not a crash to dump
        if memory_mb:
            cap_memory(memory_mb)
        conn.send(("ok", func(*args)))
    except InputError as exc:
        conn.send(("input", (type(exc).__name__, exc.cause)))
    except MemoryError:
        conn.send(("memory", None))
    except Exception as exc:  # reported to the parent, which raises it typed
        conn.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        conn.close()


def _died(path: str | Path, exitcode: int | None, memory_mb: int | None) -> InputError:
    if memory_mb and exitcode is not None and exitcode < 0 and -exitcode in ALLOCATION_DEATHS:
        name = signal.Signals(-exitcode).name
        return ResourceLimitError(path, f"the reader stopped ({name}), most likely past its memory limit of "
                                        f"{memory_mb} MB (ReadSettings.max_memory_mb)")
    return InputError(path, f"the reader process died (exit code {exitcode})")


def run_limited(func: Callable[..., Any], args: tuple[Any, ...], path: str | Path, seconds: float | None,
                memory_mb: int | None) -> Any:
    """``func(*args)`` in a child process limited to ``seconds`` and ``memory_mb`` of growth.

    ``func`` must return something picklable (a Document's ``to_dict()``).

    Raises:
        ExtractionTimeoutError: The child did not finish within ``seconds``.
        ResourceLimitError: The child ran out of its memory allowance.
        InputError: What the child raised, with the same type, or an unexpected failure.
    """
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    context = multiprocessing.get_context(method)
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(func, args, memory_mb, sender), daemon=True)
    child.start()
    sender.close()
    try:
        if not receiver.poll(seconds):
            raise ExtractionTimeoutError(path, f"extraction did not finish within {seconds:g} s and was stopped")
        status, payload = receiver.recv()
    except EOFError:
        child.join(5)
        raise _died(path, child.exitcode, memory_mb) from None
    finally:
        if child.is_alive():
            child.kill()
        child.join()
        receiver.close()
    if status == "ok":
        return payload
    if status == "memory":
        raise ResourceLimitError(path, f"the reader needed more than its memory limit of {memory_mb} MB "
                                       "(ReadSettings.max_memory_mb)")
    if status == "input":
        name, cause = payload
        error_type = getattr(errors, name, InputError)
        raise error_type(path, cause)
    raise InputError(path, f"unexpected failure while reading: {payload}")
