"""Inter-annotator agreement, and scoring a system against a gold corpus (``newsanno agree``).

``agree(A, B)`` measures B against A: precision is B's, recall A's.
"""

from newsanno.agree.core import Agreement, agree, load_side
from newsanno.agree.match import LAYERS

__all__ = ["LAYERS", "Agreement", "agree", "load_side"]
