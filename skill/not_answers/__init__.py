"""What is said while an answer is awaited that is not an answer, recognised by similarity.

While the skill listens for an answer, Alexa hands over almost anything as the answer slot
("wait", "what was the question", "delete it all"). The phrases come from data: every
sample of every intent that is not the answer (intent_samples.json, generated from the
interaction model) and what the model has no samples of (not_answers.json: the built-ins,
needing a moment, who goes first). A supposed answer is compared with each phrase by a
weighted overlap of their words that tolerates an extra or a missing word and another verb;
rare words weigh more, so the words an answer is made of ("dishes", "paris") keep it an
answer. When in doubt it is an answer: it is said back, and can be fixed.

The phrase book (phrase_book.py) loads and weighs the phrases of a locale; matching
(matching.py) compares what was said with them.
"""

from skill.not_answers.matching import THRESHOLD, Heard, recognise
from skill.not_answers.phrase_book import Recogniser, compiled, expand, normalize, stem

__all__ = [
    "THRESHOLD",
    "Heard",
    "Recogniser",
    "compiled",
    "expand",
    "normalize",
    "recognise",
    "stem",
]
