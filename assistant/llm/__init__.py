"""The optional LLM backend: clients for an OpenAI-compatible server, llama.cpp or transformers, and the prompts."""
