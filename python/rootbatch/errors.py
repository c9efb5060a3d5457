"""Exceptions raised by rootbatch.

Every error from the C++ core carries its ``code``, the innermost ``message``
and the ``context`` chain (innermost first: basket, branch, tree, file), and
is an instance of both :class:`RootbatchError` and the built-in exception a
Python user would expect:

==================  ==========================================  =========================
C++ StatusCode      rootbatch class                             also a
==================  ==========================================  =========================
kInvalidArgument    :class:`InvalidArgumentError`               ``ValueError``
kNotFound           :class:`NotFoundError` (tree, branch, key)  ``KeyError``
kNotFound (a file)  :class:`FileNotFoundError`                  ``builtins.FileNotFoundError`` (``OSError``)
kIOError            :class:`ReadError`                          ``OSError``
kCorrupt            :class:`CorruptFileError`                   ``OSError``
kUnsupported        :class:`UnsupportedError`                   ``ValueError``, ``NotImplementedError``
kCancelled          :class:`CancelledError`                     ``RuntimeError``
kInternal           :class:`InternalError`                      ``RuntimeError``
==================  ==========================================  =========================
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
    "from_status",
]


class RootbatchError(Exception):
    """Base class of every error the C++ core reports."""

    code = "internal"

    def _init_status(self, message: str, context=(), text: str | None = None) -> None:
        self.message = message
        self.context = list(context)
        self.text = text or _format(self.code, message, self.context)

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


def _make(cls, message: str, context, text: str):
    if issubclass(cls, OSError):
        # OSError(errno, strerror, filename) fills .errno/.filename.
        err = _errno.ENOENT if cls is FileNotFoundError else _errno.EIO
        exc = cls(err, text, _filename(message, context))
    else:
        exc = cls(text)
    exc._init_status(message, context, text)
    return exc


def _filename(message: str, context) -> str | None:
    # "no such file: 'x.root'" and contexts "file 'x.root'" name the file.
    for piece in [message, *reversed(list(context))]:
        if "'" in piece and ("file" in piece or "such file" in piece):
            start = piece.find("'")
            end = piece.find("'", start + 1)
            if end > start:
                return piece[start + 1 : end]
    return None


def from_status(code: str, message: str, context=(), text: str | None = None) -> RootbatchError:
    """The exception for a C++ Status (called by the extension module)."""
    cls = _BY_CODE.get(code, InternalError)
    if code == "not_found" and (message.startswith("no such file") or message.startswith("no file matches")):
        cls = FileNotFoundError
    return _make(cls, message, context, text or _format(code, message, context))
