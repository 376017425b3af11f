"""The embedding model in a child process, for `python -m ingest`.

Loading the passage model means importing torch and reading the weights: about 3 s on one core. An ingest
that adds one document to a library spends as long importing Chroma and reading the manifest, the file
fingerprints and the ledger. In a thread both would share one interpreter lock, so they would take turns;
a child process loads the model on the second core while this one gets on with the store and the files.
The child runs the same code as in-process embedding (assistant.retrieval.dense), so the vectors are the
same, bit for bit. It ends when asked to, and by itself when this process ends, killed or not.
"""

from __future__ import annotations

import multiprocessing
import os
import threading

from assistant.settings import Settings


class ModelProcess:
    """An embedder (the methods ingest calls) whose model lives in a child process, started by start() (or
    entering it as a context, which closes it on leaving) or on first use. Its errors (a missing model, say) are raised here, on the call that needs the model."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.embed_batch_size = settings.embed_batch_size
        self._process = None
        self._connection = None
        self._lock = threading.Lock()

    def start(self) -> None:
        with self._lock:
            if self._process is not None:
                return
            # spawn, not fork: the parent may already run threads (Chroma's, BLAS's), which fork would copy locked.
            context = multiprocessing.get_context("spawn")
            ours, theirs = context.Pipe()
            self._process = context.Process(target=serve, args=(self.settings, theirs), name="ingest-model", daemon=True)
            self._process.start()
            theirs.close()
            self._connection = ours

    def __enter__(self) -> ModelProcess:
        self.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.close()

    def get_text_embedding_batch(self, texts: list[str], **_ignored) -> list[list[float]]:
        return self._call("get_text_embedding_batch", list(texts))

    def get_text_embedding(self, text: str) -> list[float]:
        return self.get_text_embedding_batch([text])[0]

    def get_query_embedding(self, query: str) -> list[float]:
        return self._call("get_query_embedding", query)

    def get_query_embeddings(self, queries: list[str]) -> list[list[float]]:
        return self._call("get_query_embeddings", list(queries))

    def close(self) -> None:
        """End the child, at once: it holds nothing but the model (a run that found nothing to embed
        may close it while it is still loading)."""
        with self._lock:
            process, self._process = self._process, None
            if process is None:
                return
            self._connection.close()
            process.terminate()
            process.join()

    def _call(self, method: str, *args):
        self.start()
        with self._lock:
            try:
                self._connection.send((method, args))
                succeeded, value = self._connection.recv()
            except (EOFError, OSError) as error:
                raise RuntimeError(f"the embedding model's process ended (exit code {self._process.exitcode})") \
                    from error
        if not succeeded:
            raise value
        return value


def serve(settings: Settings, connection) -> None:
    """The child: load the model (the passage side too), then answer calls until the parent closes the
    connection or is gone."""
    threading.Thread(target=_exit_with_parent, name="parent-watch", daemon=True).start()
    from assistant.retrieval.dense import build_embedder

    try:
        embedder, failure = build_embedder(settings, questions_now=False), None  # a delta's probes are kept
        embedder.prepare_batches()
    except Exception as error:  # raised in the parent, on the call that needs the model
        embedder, failure = None, error
    while True:
        try:
            request = connection.recv()
        except EOFError:
            return
        if failure is not None:
            connection.send((False, failure))
            continue
        method, args = request
        try:
            connection.send((True, getattr(embedder, method)(*args)))
        except Exception as error:
            connection.send((False, error))


def _exit_with_parent() -> None:
    """End this process as soon as the parent has ended, even while the model is still loading (an ingest
    killed early must not leave a child importing torch behind)."""
    multiprocessing.connection.wait([multiprocessing.parent_process().sentinel])
    os._exit(0)
