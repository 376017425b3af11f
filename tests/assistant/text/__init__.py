"""Tests for assistant.text."""
