"""`python -m skill.narration audio build ...`: the audio commands without skill.cli."""

import sys

from skill.narration.cli import main

sys.exit(main())
