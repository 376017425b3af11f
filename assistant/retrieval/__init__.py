"""Retrieval: the Chroma store (embedded or server), the dense embedder, the bm25s lexical index,
score fusion, aliases (acronym and long form), and the build files saved with each index."""
