"""Process-wide switches that keep everything offline and private; applied before heavy imports."""

import os

OFFLINE_ENV = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "ANONYMIZED_TELEMETRY": "False",
    "GRADIO_ANALYTICS_ENABLED": "False",
    "TOKENIZERS_PARALLELISM": "false",
    "DO_NOT_TRACK": "1",
}


def go_offline() -> None:
    """Forbid hub downloads and telemetry for this process and its children."""
    for key, value in OFFLINE_ENV.items():
        os.environ[key] = value
