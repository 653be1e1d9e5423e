"""The inter-process project lock: one small class, so a Windows fallback fits behind it.

POSIX: ``fcntl.flock`` on a sidecar file (``project.json.lock``) that is never replaced.
The lock is reentrant within a process (thread-safe) and blocking. The lock file also
carries a commit generation counter and the holder (``user@host pid``) so other processes
can tell that the store changed and the UI can say who holds the lock.
"""

from __future__ import annotations

import getpass
import os
import sys
import threading
import time
from pathlib import Path

if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt
else:
    import fcntl


def _holder_text() -> str:
    try:
        user = getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name in some containers
        user = str(os.getuid()) if hasattr(os, "getuid") else "?"
    # os.uname() rather than socket.gethostname(): the same name, without importing socket
    host = os.uname().nodename if hasattr(os, "uname") else os.environ.get("COMPUTERNAME", "?")
    return f"{user}@{host} pid {os.getpid()}"


class ProjectLock:
    """A blocking, reentrant, inter-process exclusive lock on ``path``."""

    def __init__(self, path: Path, mode: int = 0o600) -> None:
        self.path = path
        self._mode = mode
        self._fd: int | None = None
        self._writable = False
        self._depth = 0
        self._thread_lock = threading.RLock()
        self.wait_seconds = 0.0  # how long the last acquire waited (for the UI)

    # -- file handle -------------------------------------------------------------
    def _open(self) -> int:
        if self._fd is None:
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT, self._mode)
                self._writable = True
                try:  # the umask must not narrow a team project's lock file
                    if os.fstat(fd).st_mode & 0o777 != self._mode:
                        os.fchmod(fd, self._mode)
                except (AttributeError, PermissionError):  # pragma: no cover
                    pass
            except PermissionError:
                # Members without write rights on the lock file can still lock it.
                fd = os.open(self.path, os.O_RDONLY)
                self._writable = False
            self._fd = fd
        return self._fd

    def close(self) -> None:
        with self._thread_lock:
            if self._fd is not None and self._depth == 0:
                os.close(self._fd)
                self._fd = None

    # -- locking -----------------------------------------------------------------
    def acquire(self) -> None:
        self._thread_lock.acquire()
        if self._depth == 0:
            fd = self._open()
            started = time.perf_counter()
            try:
                self._lock_fd(fd)
            except BaseException:
                self._thread_lock.release()
                raise
            self.wait_seconds = time.perf_counter() - started
        self._depth += 1

    def release(self) -> None:
        if self._depth <= 0:
            raise RuntimeError("ProjectLock released more times than acquired")
        self._depth -= 1
        if self._depth == 0 and self._fd is not None:
            self._unlock_fd(self._fd)
        self._thread_lock.release()

    def __enter__(self) -> ProjectLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()

    @property
    def held(self) -> bool:
        return self._depth > 0

    @staticmethod
    def _lock_fd(fd: int) -> None:
        if sys.platform == "win32":  # pragma: no cover
            while True:
                try:
                    os.lseek(fd, 0, os.SEEK_SET)
                    msvcrt.locking(fd, msvcrt.LK_LOCK, 1)
                    return
                except OSError:
                    time.sleep(0.05)
        fcntl.flock(fd, fcntl.LOCK_EX)

    @staticmethod
    def _unlock_fd(fd: int) -> None:
        if sys.platform == "win32":  # pragma: no cover
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
            return
        fcntl.flock(fd, fcntl.LOCK_UN)

    # -- generation counter and holder --------------------------------------------
    def read_generation(self) -> int:
        """The commit counter stored in the lock file (0 when absent or unreadable)."""
        try:
            fd = self._open()
            raw = os.pread(fd, 256, 0)
        except OSError:
            return 0
        text = raw.decode("utf-8", "replace")
        if text.startswith("gen="):
            try:
                return int(text[4:].split(None, 1)[0])
            except ValueError:
                return 0
        return 0

    def write_generation(self, generation: int) -> None:
        """Record a commit; call only while holding the lock."""
        if not self._writable or self._fd is None:
            return
        data = f"gen={generation} holder={_holder_text()}\n".encode()
        os.pwrite(self._fd, data.ljust(128), 0)

    def holder(self) -> str:
        """Who committed last / holds the lock, as written in the lock file."""
        try:
            text = self.path.read_text("utf-8", "replace")
        except OSError:
            return ""
        _, _, rest = text.partition("holder=")
        return rest.strip()
