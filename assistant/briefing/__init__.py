"""Briefings for trainers: what the documents say on a topic, in sections, every sentence cited; the
whole-corpus timeline; export to Markdown, HTML and DOCX."""
