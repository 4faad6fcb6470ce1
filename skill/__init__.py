"""Stagewise's runtime: what a turn loads, on Lambda or behind the self-hosted endpoint."""

from skill import lean_sdk

lean_sdk.install()  # before any module of the skill imports ask-sdk-core (see skill.lean_sdk)
