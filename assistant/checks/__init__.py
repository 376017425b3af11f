"""Checks that keep answers grounded: input and relevance (scope), the refusal threshold calibrated per
index, the constraints a question names that no passage meets ("not stated"), and the LLM sentence guard."""
