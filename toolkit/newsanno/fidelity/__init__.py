"""Quote fidelity: word-level alignment of the renderings of one utterance across documents."""
