"""Tests for assistant.retrieval."""
