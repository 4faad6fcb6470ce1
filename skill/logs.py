"""Logging that never carries what a couple said: the AWS libraries are kept quiet.

At DEBUG, botocore logs whole request and response bodies (names, answers, the full
Alexa userId). Our own lines go through skill.privacy; the libraries' are capped here.
"""

from __future__ import annotations

import logging

# Loggers of libraries that put request or response bodies in their DEBUG lines.
CHATTY_LIBRARIES = ("botocore", "boto3", "urllib3", "s3transfer")


# Their children that write bodies at DEBUG (named, so they are filtered before they exist).
CHATTY_CHILDREN = (
    "botocore.endpoint",
    "botocore.parsers",
    "botocore.hooks",
    "botocore.auth",
    "botocore.httpsession",
    "botocore.retryhandler",
    "urllib3.connectionpool",
)


class _AtLeast(logging.Filter):
    """Drops records below a level, even when someone later sets the logger to DEBUG."""

    def __init__(self, level: int) -> None:
        super().__init__()
        self.level = level

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= self.level


def quiet_libraries(level: int = logging.WARNING) -> None:
    """Cap the AWS and HTTP libraries' loggers at `level`, whatever the root logger is set to.

    Levels can be turned back down by anyone (a test, an operator's logging config); the
    filter on each library logger, and on the children that already exist, stays.
    """
    names = {*CHATTY_LIBRARIES, *CHATTY_CHILDREN}
    names |= {
        name for name in logging.root.manager.loggerDict if name.split(".")[0] in CHATTY_LIBRARIES
    }
    for name in sorted(names):
        logger = logging.getLogger(name)
        if name in CHATTY_LIBRARIES and logger.level < level:
            logger.setLevel(level)  # NOTSET (0) and DEBUG both leak; a stricter one stays
        if not any(isinstance(f, _AtLeast) for f in logger.filters):
            logger.addFilter(_AtLeast(level))
