"""Tests for assistant.briefing."""
