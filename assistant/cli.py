"""Command line: ingest, ask, chat, docs, eval, feedback, serve. Thin: parses arguments, calls the package, prints."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path

from assistant import messages
from assistant.errors import AssistantError
from assistant.settings import Settings, quiet_libraries


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
    ask.add_argument("--audience", help="resident (居民), onboarding (新社工), staff (工作人员)")
    ask.add_argument("--doc", help="only this document (file name, title, short name such as 慈善法, or number)")

    chat = commands.add_parser("chat", help="连续对话（追问会接着上文理解）")
    chat.add_argument("--audience", help="resident (居民), onboarding (新社工), staff (工作人员)")
    chat.add_argument("--doc", help="only this document")

    commands.add_parser("docs", help="列出已收录的文件")

    evaluate = commands.add_parser("eval", help="在问题集上评测")
    evaluate.add_argument("file", type=Path, help="question set, one JSON object per line")
    evaluate.add_argument("--split", help="only rows whose 'split' field has this value (e.g. validation)")
    evaluate.add_argument("--doc", help="every question scoped to this document (a set written for one document)")

    feedback = commands.add_parser("feedback", help="查看网页界面收到的 👍/👎 反馈")
    feedback.add_argument("--down", action="store_true", help="only answers rated 👎")
    feedback.add_argument(
        "--purge-before", metavar="YYYY-MM-DD", help="delete the feedback stored before this date and say how many"
    )

    serve = commands.add_parser("serve", help="启动网页界面")
    serve.add_argument("--host", help="address to listen on (default ASSISTANT_HOST or 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default ASSISTANT_PORT or 7860)")
    serve.add_argument(
        "--public",
        action="store_true",
        help="allow a non-loopback --host without ASSISTANT_ADMIN_PASSWORD (prints a warning)",
    )
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
            "chat": _chat,
            "docs": _docs,
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
    except BrokenPipeError:  # `assistant ask … | head`: the reader is gone, nothing left to say
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


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


def _chain(settings: Settings, on_text=None):
    from assistant.index import ensure_index
    from assistant.router import build_chain

    chain = build_chain(ensure_index(settings, progress=True), settings=settings)
    if settings.llm_base_url or settings.llm_model:  # the LLM code is imported only when configured
        from assistant.llm import use_llm

        if problem := use_llm(chain, settings, on_text=on_text):
            print(problem, file=sys.stderr)
    return chain


def _print(answer, as_json: bool) -> None:
    from assistant.presentation import render

    print(json.dumps(answer.to_json(), ensure_ascii=False) if as_json else render(answer), flush=True)


def _ask(args, settings: Settings) -> int:
    chain = _chain(settings)
    if args.question != "-":
        answer = chain.ask(args.question, args.audience, doc=args.doc)
        _print(answer, args.json)
        return 1 if answer.kind == "error" else 0
    status = 0
    for number, raw in enumerate(sys.stdin.buffer, start=1):
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            from assistant.types import Answer

            message = f"第 {number} 行不是合法的 UTF-8 文本，已跳过。"
            _print(Answer("", message, False, kind="error", error=message), args.json)
            status = 1
            continue
        if not line.strip():
            continue
        answer = chain.ask(line.strip(), args.audience, doc=args.doc)
        status |= answer.kind == "error"
        _print(answer, args.json)
        if not args.json:
            print()
    return status


def _chat(args, settings: Settings) -> int:
    from assistant.presentation import render

    shown: list[str] = []  # what an LLM answer printed sentence by sentence, as it was verified
    chain = _chain(settings, on_text=lambda piece: print(piece, end="", flush=True) or shown.append(piece))
    history = []
    print("政策问答助手：请输入问题（空行或 Ctrl-D 结束，输入“新对话”清空上下文）。")
    while True:
        try:
            question = input("问> ").strip()
        except EOFError:
            return 0
        if not question:
            return 0
        if question in ("新对话", "/new"):
            history = []
            print("（已开始新对话）")
            continue
        shown.clear()
        answer = chain.ask(question, args.audience, history=history, doc=args.doc)
        print(render(answer).removeprefix("".join(shown)), flush=True)
        print()
        if answer.kind != "error":
            history.append(chain.turn(answer))


def _docs(args, settings: Settings) -> int:
    from assistant.index import ensure_index
    from assistant.library import Library

    rows = Library(ensure_index(settings, progress=True).documents).rows()
    for row in rows:
        dates = "；".join(part for part in (row.date, f"施行：{row.effective}" if row.effective else "") if part)
        print(
            f"{row.title}\n  文号：{row.doc_number or '无'}  类型：{row.kind}  发布机关：{row.issuer or '未载明'}\n"
            f"  日期：{dates or '未载明'}  状态：{row.status}  条款数：{row.clauses}  简称：{'、'.join(row.short_names) or '无'}"
            f"  编号：{row.doc_id}"
        )
    print(f"共 {len(rows)} 份文件。")
    return 0


def _eval(args, settings: Settings) -> int:
    from assistant.evaluation import evaluate, load_questions
    from assistant.types import Answer

    questions, bad = load_questions(args.file, split=args.split)
    for message in bad:
        print(f"跳过：{message}", file=sys.stderr)
    chain = _chain(settings)
    if args.doc and not chain.library.resolve(args.doc):
        print(
            messages.UNKNOWN_DOCUMENT.format(
                name=args.doc[:40], known="、".join(d.short_title for d in chain.library.documents)
            ),
            file=sys.stderr,
        )
        return 2

    def ask(question: str, audience: str, earlier: list[Answer] = ()) -> Answer:
        return chain.ask(question, audience, doc=args.doc, history=[chain.turn(a) for a in earlier])

    report = evaluate(questions, ask)
    report.skipped = bad
    print(report.render())
    return 0


def _feedback(args, settings: Settings) -> int:
    from datetime import date

    from assistant.feedback import FILE_NAME, FeedbackStore
    from assistant.feedback_clean import printable

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
    from assistant.server import launch

    launch(settings, host=args.host, port=args.port, public=args.public)
    return 0


if __name__ == "__main__":
    sys.exit(main())
