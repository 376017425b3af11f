"""python -m assistant: ask, chat, serve, brief, timeline."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m assistant", description="Cited answers on children's social care reform.")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--store", type=Path, help="index folder (default ./.store or ASSISTANT_STORE_DIR)")
    common.add_argument("--corpus", type=Path, help="corpus folder (default ./corpus or ASSISTANT_CORPUS_DIR)")
    sub = parser.add_subparsers(dest="command", required=True)
    ask = sub.add_parser("ask", parents=[common], help="answer one question")
    ask.add_argument("question")
    ask.add_argument("--json", action="store_true", help="print the answer object as JSON")
    sub.add_parser("chat", parents=[common], help="a conversation in the terminal")
    serve = sub.add_parser("serve", parents=[common], help="the chat app in the browser")
    serve.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default 7860)")
    serve.add_argument("--auth", help="user:password, required to listen beyond 127.0.0.1")
    brief = sub.add_parser("brief", parents=[common], help="a cited briefing on a topic")
    brief.add_argument("topic")
    brief.add_argument("--format", choices=["md", "docx", "html"], default="md")
    brief.add_argument("--out", type=Path, help="file to write (default: print markdown)")
    timeline = sub.add_parser("timeline", parents=[common], help="every dated event across the documents")
    timeline.add_argument("--out", type=Path)
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    from assistant.settings import Settings
    from assistant.retrieval.store import StoreError

    settings = Settings().with_overrides(store_dir=args.store, corpus_dir=args.corpus)
    try:
        if args.command == "serve":
            from assistant.ui import serve

            settings = settings.with_overrides(host=args.host, port=args.port, auth=args.auth)
            return serve(settings)
        bot = _load(settings)
        if args.command == "ask":
            return _ask(bot, args.question, args.json)
        if args.command == "chat":
            return _chat(bot)
        if args.command == "brief":
            return _brief(bot, args.topic, args.format, args.out)
        if args.command == "timeline":
            return _timeline(bot, args.out)
    except StoreError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 1


def _load(settings):
    from assistant.assembly import build_assistant

    return build_assistant(settings)


def _ask(bot, question: str, as_json: bool) -> int:
    answer = bot.ask(question)
    if as_json:
        print(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(answer.as_text())
    return 0


def _chat(bot) -> int:
    history: list[dict] = []
    print("Ask about children's social care reform. Empty line or Ctrl-D to leave.")
    while True:
        try:
            question = input("\nyou> ").strip()
        except EOFError:
            return 0
        if not question:
            return 0
        answer = bot.ask(question, history=history)
        print(f"\nassistant> {answer.as_text()}")
        history += [{"role": "user", "content": question}, {"role": "assistant", "content": answer.answer}]


def _brief(bot, topic: str, fmt: str, out: Path | None) -> int:
    from assistant.briefing.export import render

    briefing = bot.brief(topic)
    data = render(briefing, fmt)
    if out:
        out.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
        print(f"wrote {out}")
    elif isinstance(data, bytes):
        print("error: --format docx needs --out FILE", file=sys.stderr)
        return 2
    else:
        print(data)
    return 0


def _timeline(bot, out: Path | None) -> int:
    from assistant.briefing.timeline import build_timeline

    text = build_timeline(bot, bot.settings.scoring.briefing).markdown
    if out:
        out.write_text(text, encoding="utf-8")
        print(f"wrote {out}")
    else:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
