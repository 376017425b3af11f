"""Answering: the extractive answerer (cited sentences, no LLM), the generative one over an LLM backend,
citations, disagreements between sources, and who said what."""
