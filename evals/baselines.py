"""Baselines run beside the project: BM25-only retrieval, and llama-index defaults on the raw files."""

from __future__ import annotations

from pathlib import Path

from assistant.models import Answer, Citation, Passage

NAIVE_METRIC_K = 5  # passages fetched for hit@5/MRR; the answer still uses only the top one (default k=2)


def bm25_only(settings, embedder=None):
    """The project's assistant with retrieval_mode="bm25"; (None, note) when the setting does not exist."""
    from assistant.assembly import build_assistant

    if "retrieval_mode" not in type(settings).model_fields:
        return None, "Settings has no retrieval_mode field yet: skipped"
    return build_assistant(settings.model_copy(update={"retrieval_mode": "bm25"}), embedder=embedder), ""


class NaiveLlamaIndex:
    """The quick-start a newcomer writes: SimpleDirectoryReader + VectorStoreIndex defaults, top node = answer."""

    name = "llama-index defaults"

    def __init__(self, corpus_dir: Path, embedder):
        from llama_index.core import Settings as LlamaSettings
        from llama_index.core import SimpleDirectoryReader, VectorStoreIndex

        from assistant.retrieval.dense import as_llama_index

        previous = LlamaSettings._llm
        LlamaSettings.llm = None  # MockLLM: nothing may reach a network
        try:
            documents = SimpleDirectoryReader(str(corpus_dir), required_exts=[".txt"]).load_data()
            self.index = VectorStoreIndex.from_documents(documents, embed_model=as_llama_index(embedder))
            self.default_k = self.index.as_retriever().similarity_top_k
            self.retriever = self.index.as_retriever(similarity_top_k=max(self.default_k, NAIVE_METRIC_K))
        finally:
            LlamaSettings._llm = previous
        self.nodes = len(self.index.docstore.docs)

    def retrieve(self, query: str, k: int | None = None) -> list[Passage]:
        """The top nodes by cosine similarity, as Passages."""
        nodes = self.retriever.retrieve(query)[: k or NAIVE_METRIC_K]
        return [Passage(chunk_id=n.node.node_id, text=n.node.get_content(), metadata=dict(n.node.metadata),
                        score=float(n.score or 0.0)) for n in nodes]

    def ask(self, question: str, history=None) -> Answer:
        """The top retrieved node verbatim; never refuses, ignores history (no LLM to condense it)."""
        passages = self.retrieve(question)
        top = passages[0]
        citation = Citation(n=1, source_id=top.metadata.get("file_name", ""), title=top.metadata.get("file_name", ""),
                            publisher="", url="", published="", text=top.text, chunk_id=top.chunk_id)
        return Answer(status="answered", answer=top.text, citations=[citation], query=question,
                      question=question, passages=passages, backend="naive")


def naive_llamaindex(settings, embedder=None):
    """The llama-index-defaults baseline on the uncleaned corpus files, with the packaged MiniLM."""
    from assistant.retrieval.dense import build_embedder

    system = NaiveLlamaIndex(settings.corpus_dir, embedder or build_embedder(settings))
    return system, f"{system.nodes} default SentenceSplitter nodes, answer = top node (default top_k={system.default_k})"


BASELINES = {"bm25": bm25_only, "llamaindex": naive_llamaindex}
