"""Exceptions raised by rootbatch.

Every error from the C++ core carries its ``code``, the innermost ``message``,
the ``context`` chain (innermost first: basket, branch, tree, file) and the
structured fields the C++ side set where it made the error or added context:
``path`` (the file), ``object`` (the innermost named tree, branch, key or
column), ``offset`` (a byte offset in the file) and, for OS failures,
``errno``; each is None when unknown. Every error is an instance of both
:class:`RootbatchError` and the built-in exception a Python user would expect:

==================  ==========================================  =========================
C++ StatusCode      rootbatch class                             also a
==================  ==========================================  =========================
kInvalidArgument    :class:`InvalidArgumentError`               ``ValueError``
kNotFound           :class:`NotFoundError` (tree, branch, key)  ``KeyError``
kNotFound + ENOENT  :class:`FileNotFoundError` (file, glob)     ``builtins.FileNotFoundError`` (``OSError``)
kIOError            :class:`ReadError`                          ``OSError``
kCorrupt            :class:`CorruptFileError`                   ``OSError``
kUnsupported        :class:`UnsupportedError`                   ``ValueError``, ``NotImplementedError``
kCancelled          :class:`CancelledError`                     ``RuntimeError``
kInternal           :class:`InternalError`                      ``RuntimeError``
==================  ==========================================  =========================

The class follows the code and the fields, never the message text: a
not-found error whose ``errno`` is ENOENT is a missing file. The OSError
classes fill ``errno`` (the OS error, else ENOENT / EIO) and ``filename``
(``path``).
"""
from __future__ import annotations

import builtins
import errno as _errno

__all__ = [
    "RootbatchError",
    "InvalidArgumentError",
    "NotFoundError",
    "FileNotFoundError",
    "ReadError",
    "CorruptFileError",
    "UnsupportedError",
    "CancelledError",
    "InternalError",
    "ShuffleQualityWarning",
    "from_status",
]


class ShuffleQualityWarning(UserWarning):
    """The memory budget cannot shuffle this layout well (clusters larger than
    the shuffle buffer): see ``DataLoader.shuffle_plan()`` and ``rootbatch.shuffle()``."""


class RootbatchError(Exception):
    """Base class of every error the C++ core reports."""

    code = "internal"
    path = None
    object = None
    offset = None

    def _init_status(self, message: str, context=(), text: str | None = None, path=None, object=None,
                     offset=None) -> None:
        self.message = message
        self.context = list(context)
        self.text = text or _format(self.code, message, self.context)
        self.path = path or None
        self.object = object or None
        self.offset = offset

    def __str__(self) -> str:  # KeyError would otherwise print repr(args[0])
        return getattr(self, "text", None) or super().__str__()


def _format(code: str, message: str, context) -> str:
    text = f"{code.replace('_', ' ')}: {message}"
    if context:
        text += " (in " + ", ".join(context) + ")"
    return text


class InvalidArgumentError(RootbatchError, ValueError):
    """An impossible request: a bad option, a column used twice, a bad range."""

    code = "invalid_argument"


class NotFoundError(RootbatchError, KeyError):
    """A named tree, branch, key or column does not exist (the message lists those that do)."""

    code = "not_found"


class FileNotFoundError(RootbatchError, builtins.FileNotFoundError):
    """A ROOT file (or a pattern of files) that does not exist."""

    code = "not_found"


class ReadError(RootbatchError, OSError):
    """The operating system failed a read."""

    code = "io_error"


class CorruptFileError(RootbatchError, OSError):
    """The bytes of a file contradict the ROOT format."""

    code = "corrupt"


class UnsupportedError(RootbatchError, ValueError, NotImplementedError):
    """Valid ROOT data that rootbatch does not read (yet)."""

    code = "unsupported"


class CancelledError(RootbatchError, RuntimeError):
    """Work stopped on request."""

    code = "cancelled"


class InternalError(RootbatchError, RuntimeError):
    """A bug in rootbatch: please report it with the message."""

    code = "internal"


_BY_CODE = {
    "invalid_argument": InvalidArgumentError,
    "not_found": NotFoundError,
    "io_error": ReadError,
    "corrupt": CorruptFileError,
    "unsupported": UnsupportedError,
    "cancelled": CancelledError,
    "internal": InternalError,
}


def _make(cls, message: str, context, text: str, path=None, object=None, offset=None, errno=None):
    if issubclass(cls, OSError):
        # OSError(errno, strerror, filename) fills .errno/.filename.
        if errno is None:
            errno = _errno.ENOENT if cls is FileNotFoundError else _errno.EIO
        exc = cls(errno, text, path or None)
    else:
        exc = cls(text)
    exc._init_status(message, context, text, path=path, object=object, offset=offset)
    return exc


def from_status(code: str, message: str, context=(), text: str | None = None, *, path: str | None = None,
                object: str | None = None, offset: int | None = None, errno: int | None = None) -> RootbatchError:
    """The exception for a C++ Status (called by the extension module with
    the Status's fields; the class depends on the code and the fields)."""
    cls = _BY_CODE.get(code, InternalError)
    if code == "not_found" and errno == _errno.ENOENT:
        cls = FileNotFoundError
    return _make(cls, message, context, text or _format(code, message, context), path=path, object=object,
                 offset=offset, errno=errno)
