"""Resolve typed lines against the interaction model, roughly as Alexa would, for the console.

resolver.py resolves a line; model.py compiles the interaction model; slot_values.py says
what Alexa sends for a slot's words (numbers, names, dates, times).
"""

from stagewise_tools.nlu.model import Model, packaged_model
from stagewise_tools.nlu.resolver import Resolution, Resolver, normalize
from stagewise_tools.nlu.slot_values import spoken_date, spoken_time

__all__ = [
    "Model",
    "Resolution",
    "Resolver",
    "normalize",
    "packaged_model",
    "spoken_date",
    "spoken_time",
]
