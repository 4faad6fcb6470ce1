"""Logging that never carries what a couple said: the AWS libraries are kept quiet.

At DEBUG, botocore logs whole request and response bodies (names, answers, the full
Alexa userId). Our own lines go through skill.privacy; the libraries' are capped here.
"""

from __future__ import annotations

import logging

# Loggers of libraries that put request or response bodies in their DEBUG lines.
CHATTY_LIBRARIES = ("botocore", "boto3", "urllib3", "s3transfer")


def quiet_libraries(level: int = logging.WARNING) -> None:
    """Cap the AWS and HTTP libraries' loggers at `level`, whatever the root logger is set to."""
    for name in CHATTY_LIBRARIES:
        logger = logging.getLogger(name)
        if logger.level < level:  # NOTSET (0) and DEBUG both leak; a stricter setting stays
            logger.setLevel(level)
