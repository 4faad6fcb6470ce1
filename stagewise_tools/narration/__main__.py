"""`python -m stagewise_tools.narration audio build ...`: the audio commands alone."""

import sys

from stagewise_tools.narration.cli import main

sys.exit(main())
