"""Evaluation suites: a corpus (one or more folders) and a question set, indexed and run side by side.

The project's own set shows the system on the documents it was developed on; the dev-external corpus
(``../shared/corpora/dev-external``) shows it on pages nobody tuned on, alone and added to ``corpus/``.
Which suites exist is data (``evals/suites.yaml``), so a new corpus needs no code.
"""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ingest.manifest import MANIFEST_NAMES, load_manifest

EVALS_DIR = Path(__file__).resolve().parent
REPO_ROOT = EVALS_DIR.parent
SUITES = EVALS_DIR / "suites.yaml"


@dataclass(frozen=True)
class Suite:
    """One evaluation run: a name, the corpus folders indexed together, the questions asked of them."""

    name: str
    corpora: tuple[Path, ...]
    questions: tuple[Path, ...]
    baselines: bool = False
    description: str = ""
    gates: dict = field(default_factory=dict, compare=False)
    targets: dict = field(default_factory=dict, compare=False)

    def missing(self) -> list[Path]:
        """Folders or files of this suite that are not on this machine."""
        return [path for path in (*self.corpora, *self.questions) if not path.exists()]


def load_suites(path: Path = SUITES, root: Path = REPO_ROOT) -> list[Suite]:
    """The suites of suites.yaml, paths resolved against the repository root."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    suites = []
    for name, entry in (data.get("suites") or {}).items():
        corpora = entry["corpus"] if isinstance(entry["corpus"], list) else [entry["corpus"]]
        questions = entry["questions"] if isinstance(entry["questions"], list) else [entry["questions"]]
        suites.append(Suite(name, tuple((root / c).resolve() for c in corpora), tuple((root / q).resolve() for q in questions),
                            bool(entry.get("baselines", False)), entry.get("description", ""),
                            entry.get("gates") or {}, entry.get("targets") or {}))
    return suites


def combined_corpus(folders: tuple[Path, ...] | list[Path], work_dir: Path) -> Path:
    """One folder holding every file of the given folders (linked, not copied) and their merged manifest.

    A single folder is returned as it is. File names that clash get their folder's name as a prefix.
    """
    if len(folders) == 1:
        return Path(folders[0])
    digest = hashlib.sha256("\n".join(str(f) for f in folders).encode()).hexdigest()[:10]
    target = Path(work_dir) / f"corpus-{digest}"
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    manifest: dict[str, dict] = {}
    for folder in map(Path, folders):
        entries = load_manifest(folder)
        for path in sorted(folder.iterdir()):
            if path.name in MANIFEST_NAMES or path.name.startswith(".") or not path.is_file():
                continue
            name = path.name if not (target / path.name).exists() else f"{folder.name}-{path.name}"
            (target / name).symlink_to(path.resolve())
            if path.name in entries:
                manifest[name] = entries[path.name]
    if manifest:
        (target / "manifest.yaml").write_text(yaml.safe_dump(manifest, allow_unicode=True), encoding="utf-8")
    return target


def index_for(suite: Suite, work_dir: Path, settings, embedder, log=print):
    """Settings pointing at an index of the suite's corpus (built or updated under work_dir). Suites over
    the same corpus share one index: the second finds it up to date."""
    from ingest.pipeline import run_ingest

    corpus = combined_corpus(suite.corpora, work_dir)
    store = Path(work_dir) / f"store-{hashlib.sha256(str(corpus.resolve()).encode()).hexdigest()[:10]}"
    suite_settings = settings.with_overrides(corpus_dir=corpus, store_dir=store)
    report = run_ingest(suite_settings, embedder=embedder)
    log(f"[{suite.name}] index: {report.documents} documents, {report.chunks} chunks "
        f"({report.embedded} embedded) from {', '.join(str(c) for c in suite.corpora)}")
    return suite_settings
