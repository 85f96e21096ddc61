"""The one logging helper of the package.

Every module logs through :func:`get_logger`, so that ``options.logger`` (where an API takes
one) overrides the package logger ``logging.getLogger("nvmath")``.

Example:
    >>> import logging
    >>> from nvmath._logging import get_logger, log_duration
    >>> log = get_logger()
    >>> with log_duration(log, "nothing"):
    ...     pass
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Iterator

PACKAGE_LOGGER_NAME = "nvmath"


def get_logger(logger: logging.Logger | None = None) -> logging.Logger:
    """Return ``logger`` if given, else the package logger ``nvmath``.

    Example:
        >>> get_logger().name
        'nvmath'
    """
    return logger if logger is not None else logging.getLogger(PACKAGE_LOGGER_NAME)


@contextlib.contextmanager
def log_duration(logger: logging.Logger, what: str, level: int = logging.INFO) -> Iterator[None]:
    """Log ``"<what> took <seconds> s"`` at ``level`` when the block ends.

    Use it around long work (code generation, linking, planning) so a user sees why a first
    call takes seconds.

    Example:
        >>> with log_duration(get_logger(), "linking kernel"):
        ...     pass
    """
    start = time.perf_counter()
    try:
        yield
    finally:
        if logger.isEnabledFor(level):
            logger.log(level, "%s took %.3f s", what, time.perf_counter() - start)
