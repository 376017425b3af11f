"""Prompt templates (YAML), shipped as package data and read with importlib.resources (assistant.llm.prompts)."""
