"""The shipped corpus as indexed: every document, titled and dated chunks, no chrome, no lost sentences."""

import json
import re
import shutil

import pytest

from assistant.retrieval.store import IndexStore
from ingest.pipeline import dump_chunks, run_ingest

CHROME = [
    r"极|速赛车|开奖", r"\]\]>", r"You are commenting using", r"Print Friendly", r"one-off donation",
    r"Sign up for our newsletter", r"£42,403", r"Most popular articles", r"Sponsored Content",
    r"\.(?:jpe?g|png)\b", r"#comments", r"/feed/", r"Adobe Stock", r"poll embedded", r"bloggers like this",
    r"WordPress\.com Logo", r"(?m)^Care review lead Josh MacAlister$", r"justice-2",
]

# One distinctive sentence (fragment) from every article, to prove cleaning kept the text.
DISTINCTIVE = [
    "Chidren and families social work is under severe stress",
    "UNISON is about to begin the process of surveying social work members",
    "the vision lacks clarity in parts and does not describe fully how we reach the desired level",
    "ministers have allocated over £250m for 2025-26",
    "Daby explicitly confirmed the government’s support for pathfinder programme",
    "to create more places in children’s homes and to expand befriending and mentoring programmes",
    "I now regret that I didn’t recommend that all directors spent half a day on duty",
    "Dorset, Lincolnshire and Wolverhampton will also trial merging targeted early help",
    "evaluating the effectiveness of service and practice models was among five priorities",
    "RCCs – of which there would be 20 following implementation",
    "almost one in five (19%) children’s social worker posts in councils lay vacant",
    "rejected national pay scales on the grounds that they risked destabilising",
    "The suggested grant made available to children leaving care will increase from £2,000 to £3,000",
    "new powers for Ofsted to fine providers must link up with other reforms",
]


@pytest.fixture(scope="module")
def dump(corpus_settings, tmp_path_factory):
    path = tmp_path_factory.mktemp("dump") / "chunks.jsonl"
    dump_chunks(IndexStore(corpus_settings), path)
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.mark.integration
def test_fourteen_source_documents_with_titles_and_dates(dump):
    sources = {row["metadata"]["source_id"]: row["metadata"] for row in dump}
    # Four web articles plus the feed dump's ten articles (the dump holds ten items, not nine).
    assert len(sources) == 14
    assert all(row["metadata"]["title"] for row in dump)
    dated = sum(1 for meta in sources.values() if meta["published"])
    assert dated / len(sources) >= 0.9
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", meta["published"]) for meta in sources.values() if meta["published"])


@pytest.mark.integration
@pytest.mark.parametrize("pattern", CHROME)
def test_no_chrome_in_any_chunk(dump, pattern):
    flags = 0 if pattern.startswith("(?m)") else re.I
    offending = [row["id"] for row in dump if re.search(pattern, row["text"], flags)]
    assert offending == []


@pytest.mark.integration
@pytest.mark.parametrize("fragment", DISTINCTIVE)
def test_distinctive_sentences_survive_cleaning(dump, fragment):
    normalised = [" ".join(row["text"].split()) for row in dump]
    assert any(fragment.lower() in text.lower() for text in normalised), fragment


@pytest.mark.integration
def test_every_chunk_has_citation_metadata_and_stays_in_one_document(dump):
    for row in dump:
        meta = row["metadata"]
        assert row["id"].startswith(meta["source_id"] + "#")
        for key in ("source_id", "title", "publisher", "url", "published", "file", "position"):
            assert key in meta


@pytest.mark.integration
def test_reingesting_an_unchanged_corpus_embeds_nothing(corpus_settings, embedder):
    counting = CountingEmbedder(embedder)
    report = run_ingest(corpus_settings, embedder=counting)
    assert counting.texts == 0 and report.embedded == 0 and not report.changed


@pytest.mark.integration
def test_changes_reembed_only_their_own_chunks(tmp_path, remembering_embedder):
    embedder = remembering_embedder  # the real model; the corpus's vectors come from the session's index
    from assistant.settings import Settings
    from tests.conftest import CORPUS

    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    settings = Settings(corpus_dir=corpus, store_dir=tmp_path / "store")
    first = run_ingest(settings, embedder=embedder)
    unison = corpus / "001_afa225e47d7fdaac.txt"
    unison.write_text(unison.read_text(encoding="utf-8") + "\n\nA new closing paragraph about caseloads.\n",
                      encoding="utf-8")
    counting = CountingEmbedder(embedder)
    second = run_ingest(settings, embedder=counting)
    assert 0 < counting.texts <= 3 and second.reused >= first.chunks - 3
    (corpus / "002_4acc66fe3a8041a3.txt").unlink()
    third = run_ingest(settings, embedder=CountingEmbedder(embedder))
    ids = {chunk.id for chunk in IndexStore(settings).all_chunks()}
    assert not any(chunk_id.startswith("safe-and-sound") for chunk_id in ids)
    assert third.embedded == 0 and third.removed_chunks > 0
    rebuilt = run_ingest(settings, embedder=embedder, rebuild=True)
    assert rebuilt.embedded == rebuilt.chunks == third.chunks


@pytest.mark.integration
def test_a_new_recipe_for_the_embedded_text_reembeds_every_chunk(tmp_path, remembering_embedder, monkeypatch):
    embedder = remembering_embedder  # the real model; the corpus's vectors come from the session's index
    from assistant.settings import Settings
    from ingest.chunk import Chunk
    from tests.conftest import CORPUS

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(CORPUS / "001_afa225e47d7fdaac.txt", corpus)
    settings = Settings(corpus_dir=corpus, store_dir=tmp_path / "store")
    first = run_ingest(settings, embedder=embedder)
    recipe = Chunk.embed_text.fget
    monkeypatch.setattr(Chunk, "embed_text", property(lambda chunk: "Context\n" + recipe(chunk)))
    counting = CountingEmbedder(embedder)
    second = run_ingest(settings, embedder=counting)
    assert counting.texts == second.embedded == first.chunks  # texts and metadata unchanged, vectors stale


class CountingEmbedder:
    """The real embedder, counting how many texts it is asked to embed."""

    def __init__(self, inner):
        self.inner = inner
        self.texts = 0

    def get_text_embedding_batch(self, texts, **kwargs):
        self.texts += len(texts)
        return self.inner.get_text_embedding_batch(texts, **kwargs)

    def get_query_embeddings(self, queries):
        # the calibration's probe questions: queries, not passages, so not counted
        return self.inner.get_query_embeddings(queries)
