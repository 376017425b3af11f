"""Checks that keep answers grounded: input and relevance (scope, held to the refusal threshold that
assistant.retrieval.calibration derives per index), injected instructions, the constraints a question
names that no passage meets ("not stated"), and the LLM sentence guard."""
