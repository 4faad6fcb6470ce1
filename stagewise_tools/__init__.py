"""Stagewise's tooling, beside the runtime: the `stagewise` command, the local console and
its Alexa emulator, the Echo Show preview, narration build and packaging.

Nothing here is imported by a turn (tests/test_runtime_imports.py); the Lambda zip holds
the `skill` package only.
"""
