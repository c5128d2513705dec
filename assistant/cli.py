"""Command line: ingest, ask, eval, serve. Thin: parses arguments, calls the package, prints."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from assistant.errors import AssistantError
from assistant.settings import AUDIENCES, Settings, quiet_libraries


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="assistant", description="政策问答助手：依据政策原文回答问题并注明条款出处。")
    parser.add_argument("-v", "--verbose", action="store_true", help="print progress logs")
    commands = parser.add_subparsers(dest="command", required=True)

    ingest = commands.add_parser("ingest", help="建立或更新索引（默认为 corpus/ 目录）")
    ingest.add_argument("paths", nargs="*", type=Path, help="policy files or folders (default: the corpus folder)")
    ingest.add_argument("--rebuild", action="store_true", help="discard the index and build it anew")
    ingest.add_argument(
        "--sync", action="store_true", help="with paths: make the index hold exactly these files, deleting the others"
    )

    remove = commands.add_parser("remove", help="从索引中删除文档")
    remove.add_argument("names", nargs="+", help="document id (file name without suffix), file name or title")

    ask = commands.add_parser("ask", help="提问")
    ask.add_argument("question", help="the question, or '-' to read one question per line from stdin")
    ask.add_argument("--json", action="store_true", help="print one JSON object per answer")
    ask.add_argument("--audience", choices=AUDIENCES, help="resident (居民), onboarding (新社工), staff (工作人员)")

    evaluate = commands.add_parser("eval", help="在问题集上评测")
    evaluate.add_argument("file", type=Path, help="question set, one JSON object per line")

    feedback = commands.add_parser("feedback", help="查看网页界面收到的 👍/👎 反馈")
    feedback.add_argument("--down", action="store_true", help="only answers rated 👎")
    feedback.add_argument(
        "--purge-before", metavar="YYYY-MM-DD", help="delete the feedback stored before this date and say how many"
    )

    serve = commands.add_parser("serve", help="启动网页界面")
    serve.add_argument("--host", help="address to listen on (default ASSISTANT_HOST or 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default ASSISTANT_PORT or 7860)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    level = logging.INFO if args.verbose else logging.WARNING
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    try:
        settings = Settings.from_env()
        quiet_libraries(settings)
        return {
            "ingest": _ingest,
            "remove": _remove,
            "ask": _ask,
            "eval": _eval,
            "feedback": _feedback,
            "serve": _serve,
        }[args.command](args, settings)
    except AssistantError as error:
        print(f"错误：{error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("已中断；索引保持中断前的状态。", file=sys.stderr)
        return 130


def _ingest(args, settings: Settings) -> int:
    from assistant.indexing import ingest

    report = ingest(
        args.paths or None,
        settings=settings,
        rebuild=args.rebuild,
        sync=args.sync,
        progress=True,
        on_delete=lambda names: print("将删除：" + "、".join(names), flush=True),
    )
    for warning in report.warnings:
        print(f"注意：{warning}", file=sys.stderr)
    print(report.summary())
    return 0


def _remove(args, settings: Settings) -> int:
    from assistant.indexing import remove

    report = remove(args.names, settings=settings)
    print("已删除：" + "、".join(report.deleted))
    return 0


def _chain(settings: Settings):
    from assistant.answering import build_chain
    from assistant.indexing import ensure_index

    return build_chain(ensure_index(settings, progress=True), settings=settings)


def _ask(args, settings: Settings) -> int:
    chain = _chain(settings)
    if args.question != "-":
        answer = chain.ask(args.question, args.audience)
        print(json.dumps(answer.to_json(), ensure_ascii=False) if args.json else render(answer))
        return 0
    status = 0
    for line in sys.stdin:
        question = line.strip()
        if not question:
            continue
        try:
            answer = chain.ask(question, args.audience)
            output = answer.to_json() if args.json else render(answer) + "\n"
        except AssistantError as error:
            output, status = {"question": question, "error": str(error)}, 1
        print(json.dumps(output, ensure_ascii=False) if isinstance(output, dict) else output, flush=True)
    return status


def render(answer) -> str:
    related = [c for c in answer.citations if not c.quote]
    lines = [answer.answer]
    if related:
        lines.append("\n相关条款：" + "；".join(f"{c.clause} {c.heading}" for c in related))
    return "\n".join(lines)


def _eval(args, settings: Settings) -> int:
    from assistant.evaluation import evaluate, load_questions

    questions = load_questions(args.file)
    chain = _chain(settings)
    report = evaluate(questions, lambda q, audience: chain.ask(q, audience))
    print(report.render())
    return 0


def _feedback(args, settings: Settings) -> int:
    from datetime import date

    from assistant.feedback import FILE_NAME, FeedbackStore, printable

    path = settings.data_dir / FILE_NAME
    if not path.exists():
        print(f"还没有反馈（{path}）。")
        return 0
    store = FeedbackStore.for_settings(settings)
    if args.purge_before:
        try:
            day = date.fromisoformat(args.purge_before)
        except ValueError:
            raise AssistantError(
                f"日期 {args.purge_before[:20]!r} 无效：请写成 YYYY-MM-DD，例如 2024-01-31。"
            ) from None
        print(f"已删除 {store.purge_before(day)} 条 {day.isoformat()} 之前的反馈，剩余 {store.count()} 条。")
        return 0
    for row in store.rows(down_only=args.down):
        mark = "👍" if row["rating"] == "up" else "👎"
        first_line = row["answer"].split("\n")[0]
        print(
            f"{printable(row['created_at'])} {mark} [{printable(row['audience'])}] {printable(row['question'])}\n"
            f"    {printable(first_line)}"
        )
    return 0


def _serve(args, settings: Settings) -> int:
    import ui

    ui.launch(settings, host=args.host, port=args.port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
