"""Tests for assistant.checks."""
