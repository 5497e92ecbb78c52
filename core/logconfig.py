"""structlog set-up: readable on a terminal, JSON lines for services."""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import MutableMapping
from typing import Any, TextIO

import structlog
from structlog.typing import ExcInfo

from .display import printable, store_name


def _safe_for_console(_: Any, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """Names and text in log fields come from the drop folder: on a terminal their control
    characters would be obeyed, so every string is shown escaped."""
    return {k: printable(v) if isinstance(v, str) else v for k, v in event.items()}


def _safe_for_json(_: Any, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """JSON escapes control characters itself; a name's undecodable bytes (lone surrogates)
    could not be written as UTF-8 at all, so they become ``\\xNN``."""
    return {k: store_name(v) if isinstance(v, str) else v for k, v in event.items()}


def _safe_traceback(sio: TextIO, exc_info: ExcInfo) -> None:
    """A plain traceback, each line escaped: exception messages quote names and text."""
    lines = "".join(traceback.format_exception(*exc_info)).rstrip("\n").split("\n")
    sio.write("\n" + "\n".join(map(printable, lines)))


def configure(fmt: str = "console", level: str = "info") -> None:
    """Send factfold's structured logs to stderr, as ``console`` text or ``json`` lines."""
    json = fmt == "json"
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.StackInfoRenderer(),
            structlog.processors.format_exc_info if json else (lambda _, __, e: e),
            _safe_for_json if json else _safe_for_console,
            structlog.processors.JSONRenderer(ensure_ascii=False) if json
            else structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty(),
                                               exception_formatter=_safe_traceback),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(
            getattr(logging, level.upper(), logging.INFO)),
        logger_factory=structlog.PrintLoggerFactory(sys.stderr),
        cache_logger_on_first_use=False,
    )
