"""Tests for assistant.question."""
