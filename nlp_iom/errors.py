"""Typed exceptions of nlp_iom.

Every error that concerns an input file names the file and the cause, so a
batch can record why a document failed and move on.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any


def printable_path(path: str | Path) -> str:
    """``path`` as text any UTF-8 output accepts: bytes of a file name that are not UTF-8 become ``\\xff``.

    A file name is bytes on POSIX; Python keeps undecodable ones as lone surrogates, which JSON,
    terminals and SQLite refuse. Stored and printed paths go through this first.
    """
    return os.fsdecode(path).encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


class NlpIomError(Exception):
    """Base class of every error raised by nlp_iom."""


class ConfigError(NlpIomError, ValueError):
    """A setting has an invalid value.

    Args:
        field: Name of the offending setting.
        cause: What is wrong with it.
    """

    def __init__(self, field: str, cause: str) -> None:
        self.field = field
        self.cause = cause
        super().__init__(f"invalid setting {field!r}: {cause}")


class InputError(NlpIomError):
    """An input file cannot be turned into a Document.

    Args:
        path: The file that failed.
        cause: A short, human-readable reason.
    """

    kind = "input"

    def __init__(self, path: str | Path, cause: str) -> None:
        self.path = printable_path(path)
        self.cause = cause
        super().__init__(f"{self.path}: {cause}")


class FileMissingError(InputError, FileNotFoundError):
    """The path does not exist or is not a regular file."""

    kind = "missing"


class UnsupportedFormatError(InputError):
    """The file type is not one nlp_iom reads (PDF, plain text, Markdown)."""

    kind = "unsupported"


class NotAPdfError(InputError):
    """A file named .pdf does not start with the PDF signature."""

    kind = "not_pdf"


class CorruptPdfError(InputError):
    """The PDF structure is damaged and no reader could open it."""

    kind = "corrupt"


class CorruptProjectError(InputError):
    """A REFI-QDA project (``.qdpx``) is not a readable zip with a valid ``project.qde``, or is too big."""

    kind = "corrupt_project"


class EncryptedPdfError(InputError):
    """The PDF is encrypted and needs a password."""

    kind = "encrypted"


class EmptyDocumentError(InputError):
    """The file holds no pages or no text at all."""

    kind = "empty"


class ScannedPdfError(InputError):
    """The PDF has pages but no text layer (a scan); it needs OCR first."""

    kind = "scanned"


class DecodingError(InputError, UnicodeError):
    """A text file is in an encoding nlp_iom cannot decode."""

    kind = "encoding"


class ExtractionTimeoutError(InputError, TimeoutError):
    """Extraction ran past its time limit (for example a PDF that hangs the parser)."""

    kind = "timeout"


class CorpusRefusedError(NlpIomError):
    """A corpus folder asks for something only its user may choose (a Qdrant backend, location or URL).

    Args:
        folder: The corpus folder.
        cause: What it asked for and how the user can confirm it.
    """

    def __init__(self, folder: str | Path, cause: str) -> None:
        self.folder = str(folder)
        self.cause = cause
        super().__init__(f"corpus {self.folder} refused: {cause}")


class ResourceLimitError(InputError, MemoryError):
    """Reading a file needed more memory than allowed (``ReadSettings.max_memory_mb``): a decompression bomb."""

    kind = "resource_limit"


class SchemaVersionError(NlpIomError):
    """A serialised Document was written by a newer, incompatible schema."""


class ModelNotFoundError(NlpIomError):
    """A model nlp_iom needs is not installed or not built yet.

    Args:
        name: The model (package name or path).
        hint: The command that installs or builds it.
    """

    def __init__(self, name: str, hint: str) -> None:
        self.name = name
        self.hint = hint
        super().__init__(f"model {name!r} is not available: {hint}")


class MissingExtraError(NlpIomError, ImportError):
    """An optional part of nlp_iom is used without the package it needs.

    Args:
        package: The missing Python package.
        extra: The nlp_iom extra that installs it (``pip install 'nlp_iom[extra]'``).
    """

    def __init__(self, package: str, extra: str) -> None:
        self.package = package
        self.extra = extra
        super().__init__(f"{package} is not installed: pip install 'nlp_iom[{extra}]'")


def require(module: str, extra: str) -> Any:
    """Import ``module`` or raise :class:`MissingExtraError` naming the extra that installs it."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise MissingExtraError(module.split(".")[0], extra) from exc


class UnsupportedLanguageError(NlpIomError):
    """Text in a language no nlp_iom pipeline handles (only Indonesian and English are)."""

    def __init__(self, language: str, where: str = "") -> None:
        self.language = language
        super().__init__(f"no pipeline for language {language!r}{f' ({where})' if where else ''}; nlp_iom handles id and en")


class CodebookError(ConfigError):
    """A codebook file is invalid; the message names the file and the bad field.

    Args:
        source: The codebook file (or name) that failed.
        field: Dotted path of the offending field, e.g. ``codes[2].definition.id``.
        cause: What is wrong with it.
    """

    def __init__(self, source: str | Path, field: str, cause: str) -> None:
        self.source = str(source)
        super().__init__(field, cause)
        self.args = (f"{self.source}: invalid codebook field {field!r}: {cause}",)

    def __str__(self) -> str:
        return str(self.args[0])


class TooFewExamplesError(NlpIomError):
    """A code has too few labelled examples to train a classifier head for it.

    Args:
        code: The code id.
        found: Positive examples found.
        needed: The minimum the trainer needs.
    """

    def __init__(self, code: str, found: int, needed: int) -> None:
        self.code = code
        self.found = found
        self.needed = needed
        super().__init__(
            f"code {code!r} has {found} positive example(s), {needed} needed to train it; "
            "add examples or use fallback='zero-shot'"
        )


class EmptyPassageError(NlpIomError, ValueError):
    """A passage handed to a classifier holds no text.

    Args:
        index: Its position in the list passed.
    """

    def __init__(self, index: int) -> None:
        self.index = index
        super().__init__(f"passage {index} is empty: a classifier needs text to code (drop it, or check "
                         "the extraction that produced it)")
