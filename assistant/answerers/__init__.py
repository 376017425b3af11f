"""Answerers turn retrieved passages into a cited Answer; retrieval and the UI never depend on which."""
