"""Tests for assistant.answering."""
