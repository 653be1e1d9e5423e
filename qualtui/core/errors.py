"""Error types. Every error a user can cause is a ``QualtuiError`` with a one-line message."""


class QualtuiError(Exception):
    """A user-facing error: the CLI prints ``str(error)`` on one line and exits 1."""


class ProjectError(QualtuiError):
    """The project directory, its settings or its store is missing, invalid or unsafe."""


class StoreCorrupt(ProjectError):
    """``project.json`` cannot be parsed; it is never overwritten."""


class ImportFailure(QualtuiError):
    """A file could not be imported; nothing was written."""


class NotFound(QualtuiError):
    """A named document, code, segment or memo does not exist."""


class Conflict(QualtuiError):
    """An operation would clobber or contradict another change (undo refused, duplicate import)."""
