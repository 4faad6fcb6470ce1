"""Answers that signal danger (self-harm, a partner's violence, a plain plea for help), from data.

While the skill listens, whatever a partner says arrives as an answer. Before anything is
said back or stored it passes through `concern`: a phrase check over the locale's
`safety.json` and a small learned model in its `safety_model.json` (both resolved like all
content: the locale's folder, its language's, then en-US), averaged with a fine-tuned
encoder (`encoder_data/`, the same for every locale), all loaded once with the first
answer. It is not a clinical judgement: SAFETY.md says what it recognises, how well, and
its limits.

check.py holds the check (`concern`: how an answer is prepared, which rules decide, and how
the model joins them); patterns.py the pattern language the rules are written in, and its
compiler; model.py the model (trained by stagewise_tools.safety_model); encoder.py the
encoder and its word pieces (fine-tuned by stagewise_tools.safety_encoder).
"""

from skill.safety.check import CATEGORIES, Concern, Rules, concern, prepare, rules_for

# The compiler under the name it had before this was a package (tests import it).
from skill.safety.patterns import Compiler as _Compiler

__all__ = ["CATEGORIES", "Concern", "Rules", "_Compiler", "concern", "prepare", "rules_for"]
