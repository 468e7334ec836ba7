#!/usr/bin/env python3
"""Mutation testing of Huiyin's core modules (`make mutate`; not run in CI).

For each module it finds, with `ast`, the places where a small slip would be a real bug,
applies one mutant at a time, runs the fast tests that should notice, and prints per module
the mutants, how many the tests killed, which survived and the score. A surviving mutant is
either a missing test or an equivalent mutant (the program behaves the same); the known
equivalent ones are listed in scripts/mutation_targets.py with the reason and left out of the score.

Mutants:
  cmp      flip a comparison: < ↔ <=, > ↔ >=, == ↔ !=, in ↔ not in, is ↔ is not
  bool     and ↔ or
  negate   negate the condition of an if / while / conditional expression / comprehension
  not      drop a `not`
  filter   drop a `.filter(...)` / `.exclude(...)` call (→ `.all()`), or a `filter=` argument
  raise    delete a `raise` statement
  const    an integer constant n → n + 1
  drop     drop one name from a space-separated list of names ("handling replied") or
           one element from a literal set/list/tuple of names (or of an `except (A, B)`)

The work happens in a copy of the tree in a temporary folder (never in the working tree:
others may be editing or committing it), one copy per job; the mutated file is restored
after every mutant whatever happens. Each module's tests first run once unmutated, which
checks that they pass and sets the per-mutant timeout (a mutant that hangs counts as
killed). Runs on SQLite whatever DATABASE_URL says.

    .venv/bin/python scripts/mutate.py                        # the default modules
    .venv/bin/python scripts/mutate.py workflow/engine.py --max 0   # every mutant
    .venv/bin/python scripts/mutate.py some/module.py --tests some/tests cases/tests
    .venv/bin/python scripts/mutate.py --list                 # the mutants, without running
"""

from __future__ import annotations

import argparse
import ast
import os
import queue
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

from mutation_targets import DEFAULT_MODULES, EQUIVALENT, TESTS  # noqa: E402  (beside this file)

PYTEST_ARGS = ["-x", "-q", "-m", "not browser", "-p", "no:randomly", "-p", "no:cacheprovider"]
COPY_IGNORE = shutil.ignore_patterns(
    ".venv", "node_modules", ".git", "var", "__pycache__", "*.pyc", "test-artifacts",
    ".mypy_cache", ".ruff_cache", "*.sqlite3", "*.egg-info", "build",
)  # fmt: skip
NAME_LIST = re.compile(r"^[a-z_][a-z0-9_]*( [a-z_][a-z0-9_]*)+$")
CMP_SWAP: dict[type[ast.cmpop], type[ast.cmpop]] = {
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
}
CMP_TEXT: dict[type[ast.cmpop], str] = {
    ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!=",
    ast.In: "in", ast.NotIn: "not in", ast.Is: "is", ast.IsNot: "is not",
}  # fmt: skip


# ── finding mutants ─────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Mutant:
    module: str
    index: int  # the node's position in ast.walk order (the same on every parse)
    variant: int  # which change of that node (an operator's index, an element's)
    kind: str
    line: int
    description: str
    source_line: str

    def key(self) -> tuple[str, str]:
        return (self.source_line, self.description)


Apply = Callable[[ast.AST, ast.AST | None], ast.AST | None]


def _short(node: ast.AST, limit: int = 40) -> str:
    text = ast.unparse(node)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _skipped_nodes(tree: ast.Module) -> set[int]:
    """Nodes that are not behaviour: docstrings, annotations, f-string insides,
    `if TYPE_CHECKING:` / `if __name__ == "__main__":` tests."""
    skip: set[int] = set()

    def mark(node: ast.AST | None) -> None:
        if node is not None:
            skip.update(id(n) for n in ast.walk(node))

    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                mark(body[0])
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            mark(node.returns)
            for arg in [*node.args.args, *node.args.kwonlyargs, *node.args.posonlyargs]:
                mark(arg.annotation)
        if isinstance(node, ast.AnnAssign):
            mark(node.annotation)
        if isinstance(node, ast.JoinedStr):
            mark(node)
        if isinstance(node, ast.If):
            test = ast.unparse(node.test)
            if "TYPE_CHECKING" in test or "__name__" in test:
                mark(node.test)
    return skip


def _is_name_collection(node: ast.Set | ast.List | ast.Tuple, parent: ast.AST | None) -> bool:
    """A literal collection of names: states, roles, fields ({S.REPLIED, S.CLOSED},
    [COORDINATOR], ("A", "B")), or the exceptions of an `except (A, B)`. Strings count when
    they are identifiers (not a label and its help text). Tuples need two elements and no
    bare names (a, b = …; return x, y are not collections)."""

    def named(e: ast.expr, bare: bool) -> bool:
        if isinstance(e, ast.Starred):
            e = e.value
        if isinstance(e, ast.Constant):
            return isinstance(e.value, str) and e.value.isidentifier() and e.value.isascii()
        return isinstance(e, ast.Attribute) or (bare and isinstance(e, ast.Name))

    if isinstance(parent, ast.ExceptHandler):
        return len(node.elts) >= 2 and all(named(e, True) for e in node.elts)
    if isinstance(node, ast.Tuple):
        return (
            isinstance(node.ctx, ast.Load)
            and len(node.elts) >= 2
            and all(named(e, False) for e in node.elts)
        )
    return all(named(e, True) for e in node.elts)


def _sites(tree: ast.Module) -> Iterator[tuple[int, int, str, str, ast.AST]]:
    """(index, variant, kind, description, node) for every mutant of the module."""
    skip = _skipped_nodes(tree)
    parents: dict[int, ast.AST] = {}
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            parents[id(child)] = node
    conditions: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If | ast.While | ast.IfExp):
            conditions.add(id(node.test))
        if isinstance(node, ast.comprehension):
            conditions.update(id(c) for c in node.ifs)
    for index, node in enumerate(ast.walk(tree)):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Compare):
            for i, op in enumerate(node.ops):
                if type(op) in CMP_SWAP:
                    new = CMP_TEXT[CMP_SWAP[type(op)]]
                    yield index, i, "cmp", f"`{CMP_TEXT[type(op)]}` → `{new}`", node
        elif isinstance(node, ast.BoolOp):
            old, new = ("and", "or") if isinstance(node.op, ast.And) else ("or", "and")
            yield index, 0, "bool", f"`{old}` → `{new}`", node
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            if id(node) not in conditions:  # negating the condition already does this
                yield index, 0, "not", f"drop `not` of `{_short(node)}`", node
        elif isinstance(node, ast.Raise):
            yield index, 0, "raise", f"delete `{_short(node)}`", node
        elif isinstance(node, ast.Constant):
            if type(node.value) is int:
                yield index, 0, "const", f"`{node.value}` → `{node.value + 1}`", node
            elif isinstance(node.value, str) and NAME_LIST.match(node.value):
                text = node.value if len(node.value) <= 30 else node.value[:29] + "…"
                for i, word in enumerate(node.value.split()):
                    yield index, i, "drop", f'drop "{word}" from "{text}"', node
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr in ("filter", "exclude"):
                inside = ", ".join(ast.unparse(a) for a in [*node.args, *node.keywords])
                inside = inside if len(inside) <= 30 else inside[:29] + "…"
                yield index, 0, "filter", f"drop `.{node.func.attr}({inside})`", node
        if isinstance(node, ast.Call):
            for i, kw in enumerate(node.keywords):
                if kw.arg == "filter":
                    yield index, 1000 + i, "filter", f"drop `filter={_short(kw.value)}`", node
        if isinstance(node, ast.Set | ast.List | ast.Tuple) and node.elts:
            if _is_name_collection(node, parents.get(id(node))):
                for i, e in enumerate(node.elts):
                    yield index, i, "drop", f"drop `{_short(e)}` of `{_short(node)}`", node
        if id(node) in conditions:
            yield index, 0, "negate", f"negate `{_short(node)}`", node


def find_mutants(module: str, source: str) -> list[Mutant]:
    tree = ast.parse(source)
    lines = source.splitlines()
    found = []
    for index, variant, kind, description, node in _sites(tree):
        line = getattr(node, "lineno", 0)
        found.append(
            Mutant(
                module=module,
                index=index,
                variant=variant,
                kind=kind,
                line=line,
                description=description,
                source_line=lines[line - 1].strip() if line else "",
            )
        )
    return sorted(found, key=lambda m: (m.line, m.index, m.variant))


def _mutate_node(node: ast.AST, mutant: Mutant) -> ast.AST:
    """The replacement for the mutant's node (the node itself, changed, or a new one)."""
    v = mutant.variant
    if mutant.kind == "cmp":
        assert isinstance(node, ast.Compare)
        node.ops[v] = CMP_SWAP[type(node.ops[v])]()
        return node
    if mutant.kind == "bool":
        assert isinstance(node, ast.BoolOp)
        node.op = ast.Or() if isinstance(node.op, ast.And) else ast.And()
        return node
    if mutant.kind == "not":
        assert isinstance(node, ast.UnaryOp)
        return node.operand
    if mutant.kind == "negate":
        assert isinstance(node, ast.expr)
        return ast.UnaryOp(op=ast.Not(), operand=node)
    if mutant.kind == "raise":
        return ast.Pass()
    if mutant.kind == "const":
        assert isinstance(node, ast.Constant) and type(node.value) is int
        return ast.Constant(value=node.value + 1)
    if mutant.kind == "filter":
        assert isinstance(node, ast.Call)
        if v >= 1000:
            del node.keywords[v - 1000]
            return node
        assert isinstance(node.func, ast.Attribute)
        return ast.Call(
            func=ast.Attribute(value=node.func.value, attr="all", ctx=ast.Load()),
            args=[],
            keywords=[],
        )
    if mutant.kind == "drop":
        if isinstance(node, ast.Constant):
            assert isinstance(node.value, str)
            words = node.value.split()
            del words[v]
            return ast.Constant(value=" ".join(words))
        assert isinstance(node, ast.Set | ast.List | ast.Tuple)
        del node.elts[v]
        return node
    raise ValueError(mutant.kind)


def mutated_source(source: str, mutant: Mutant) -> str:
    tree = ast.parse(source)
    nodes = list(ast.walk(tree))
    target = nodes[mutant.index]
    replacement = _mutate_node(target, mutant)
    if replacement is not target:
        parents = {id(c): p for p in nodes for c in ast.iter_child_nodes(p)}
        _replace(parents[id(target)], target, replacement)
    return ast.unparse(ast.fix_missing_locations(tree)) + "\n"


def _replace(parent: ast.AST, old: ast.AST, new: ast.AST) -> None:
    for name, value in ast.iter_fields(parent):
        if value is old:
            setattr(parent, name, new)
            return
        if isinstance(value, list):
            for i, item in enumerate(value):
                if item is old:
                    value[i] = new
                    return
    raise LookupError("node not found in its parent")


def sample(mutants: list[Mutant], limit: int, seed: int) -> list[Mutant]:
    """At most `limit` mutants (0: all), the same ones on every run for a given seed."""
    if limit <= 0 or len(mutants) <= limit:
        return mutants
    rng = random.Random(f"{seed}:{mutants[0].module}")
    chosen = sorted(rng.sample(range(len(mutants)), limit))
    return [mutants[i] for i in chosen]


# ── running ─────────────────────────────────────────────────────────────────────────────


@dataclass
class Outcome:
    mutant: Mutant
    status: str  # killed, timeout, survived, equivalent, error
    seconds: float


@dataclass
class Report:
    module: str
    sites: int
    outcomes: list[Outcome] = field(default_factory=list)
    error: str = ""

    def count(self, *statuses: str) -> int:
        return sum(o.status in statuses for o in self.outcomes)

    @property
    def score(self) -> float | None:
        counted = self.count("killed", "timeout", "survived")
        return None if counted == 0 else self.count("killed", "timeout") / counted


def _env(workspace: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "HUIYIN_TEST_DB_NAME")}
    # The copy first on the path (the venv's editable install points at the working tree);
    # no bytecode: a mutant of the same size written in the same second as the last one
    # would otherwise run from a stale .pyc.
    env["PYTHONPATH"] = str(workspace)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


# The test runs in progress, so that an interrupted run (Ctrl-C, kill) ends them too.
RUNNING: set[subprocess.Popen[str]] = set()
STOPPING = threading.Event()


def _stop_all() -> None:
    STOPPING.set()
    for proc in list(RUNNING):
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def _on_sigterm(signum: int, frame: object) -> None:
    _stop_all()
    sys.exit(128 + signum)


def run_tests(workspace: Path, tests: list[str], timeout: float) -> tuple[str, float, str]:
    """('passed' | 'failed' | 'timeout', seconds, the output's tail)."""
    if STOPPING.is_set():
        raise KeyboardInterrupt
    started = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-m", "pytest", *PYTEST_ARGS, *tests],
        cwd=workspace,
        env=_env(workspace),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group: a timeout kills all of it
    )
    RUNNING.add(proc)
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        return "timeout", time.monotonic() - started, ""
    finally:
        RUNNING.discard(proc)
    if STOPPING.is_set():
        raise KeyboardInterrupt
    status = "passed" if proc.returncode == 0 else "failed"
    return status, time.monotonic() - started, out[-3000:]


def tests_for(module: str, workspace: Path, override: list[str] | None) -> list[str]:
    wanted = override or TESTS.get(module)
    if wanted is None:
        app = module.split("/")[0]
        wanted = [f"{app}/tests", "workflow/tests", "cases/tests"]
    # Folders expanded to their test files: given a file and then its folder, pytest runs
    # the file alone; given a file twice, it runs it twice.
    files: list[str] = []
    for path in wanted:
        full = workspace / path
        if full.is_dir():
            files += sorted(str(f.relative_to(workspace)) for f in full.rglob("test_*.py"))
        elif full.exists():
            files.append(path)
    return list(dict.fromkeys(files))


def make_workspaces(n: int, base: Path) -> list[Path]:
    spaces = []
    for i in range(n):
        target = base / f"tree{i}"
        shutil.copytree(ROOT, target, ignore=COPY_IGNORE, symlinks=True)
        spaces.append(target)
    return spaces


def mutate_module(module: str, args: argparse.Namespace, workspaces: list[Path]) -> Report:
    first = workspaces[0]
    source_path = first / module
    if not source_path.exists():
        return Report(module, 0, error="no such file")
    original = source_path.read_text(encoding="utf-8")
    mutants = find_mutants(module, original)
    report = Report(module, len(mutants))
    chosen = sample(mutants, args.max, args.seed)
    tests = tests_for(module, first, args.tests)
    if not tests:
        report.error = "no tests found"
        return report
    wanted = args.tests or TESTS.get(module) or ["(default)"]
    print(f"\n{module}: {len(chosen)} of {len(mutants)} mutants; tests: {' '.join(wanted)}")

    # The baseline: the module as ast.unparse writes it (so every mutant differs from it by
    # the mutation alone), in every workspace; the tests must pass.
    rewritten = ast.unparse(ast.parse(original)) + "\n"
    spaces: queue.Queue[Path] = queue.Queue()
    for ws in workspaces:
        spaces.put(ws)
    try:
        for ws in workspaces:
            (ws / module).write_text(rewritten, encoding="utf-8")
        status, seconds, out = run_tests(first, tests, timeout=args.baseline_timeout)
        if status != "passed":
            report.error = f"the tests do not pass unmutated ({status}):\n{out}"
            return report
        timeout = args.timeout or max(30.0, 3 * seconds + 10)
        print(f"  baseline {seconds:.1f} s; timeout per mutant {timeout:.0f} s")

        equivalent = EQUIVALENT.get(module, {})

        def run_one(mutant: Mutant) -> Outcome:
            if mutant.key() in equivalent:
                return Outcome(mutant, "equivalent", 0.0)
            ws = spaces.get()
            target = ws / module
            try:
                try:
                    text = mutated_source(original, mutant)
                except Exception as exc:  # a mutant ast cannot write: not a mutant
                    print(f"  L{mutant.line} {mutant.description}: cannot apply ({exc})")
                    return Outcome(mutant, "error", 0.0)
                target.write_text(text, encoding="utf-8")
                status, seconds, _ = run_tests(ws, tests, timeout)
            finally:
                target.write_text(rewritten, encoding="utf-8")
                spaces.put(ws)
            result = {"passed": "survived", "failed": "killed", "timeout": "timeout"}[status]
            if args.verbose or result == "survived":
                print(f"  {result:8} L{mutant.line:<4} {mutant.description}  ({seconds:.0f} s)")
            return Outcome(mutant, result, seconds)

        pool = ThreadPoolExecutor(max_workers=len(workspaces))
        try:
            report.outcomes = list(pool.map(run_one, chosen))
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
    finally:
        for ws in workspaces:
            (ws / module).write_text(original, encoding="utf-8")
    return report


def print_report(reports: list[Report]) -> None:
    print("\n" + "=" * 88)
    print(f"{'module':28} {'mutants':>7} {'killed':>6} {'survived':>8} {'equiv.':>6} {'score':>7}")
    for r in reports:
        if r.error:
            print(f"{r.module:28} error: {r.error.splitlines()[0]}")
            continue
        score = "—" if r.score is None else f"{100 * r.score:.0f} %"
        print(
            f"{r.module:28} {len(r.outcomes):>7} {r.count('killed', 'timeout'):>6} "
            f"{r.count('survived'):>8} {r.count('equivalent'):>6} {score:>7}"
        )
    for r in reports:
        left = [o for o in r.outcomes if o.status in ("survived", "equivalent")]
        if not left:
            continue
        print(f"\n{r.module}:")
        for o in sorted(left, key=lambda o: o.mutant.line):
            m = o.mutant
            note = ""
            if o.status == "equivalent":
                note = f"  [equivalent: {EQUIVALENT[r.module][m.key()]}]"
            print(f"  {o.status:10} L{m.line:<4} {m.description}{note}")
            print(f"  {'':10}       {m.source_line[:90]}")
    for r in reports:
        if r.error and "\n" in r.error:
            print(f"\n{r.module}: {r.error}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("modules", nargs="*", help="module paths (default: the core modules)")
    parser.add_argument("--max", type=int, default=40, help="mutants per module (0: all)")
    parser.add_argument("--seed", type=int, default=0, help="which mutants --max keeps")
    parser.add_argument("--timeout", type=float, default=0, help="seconds per mutant (0: auto)")
    parser.add_argument("--baseline-timeout", type=float, default=600)
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--tests", nargs="+", help="test paths for every module given")
    parser.add_argument("--list", action="store_true", help="list the mutants and stop")
    parser.add_argument("--verbose", "-v", action="store_true", help="print every mutant")
    args = parser.parse_args(argv)
    args.modules = args.modules or DEFAULT_MODULES

    if args.list:
        for module in args.modules:
            source = (ROOT / module).read_text(encoding="utf-8")
            mutants = find_mutants(module, source)
            chosen = set(sample(mutants, args.max, args.seed))
            print(f"{module}: {len(mutants)} mutants ({len(chosen)} run)")
            for m in mutants:
                mark = "*" if m in chosen else " "
                print(f" {mark} L{m.line:<4} {m.kind:6} {m.description}")
        return 0

    started = time.monotonic()
    # A kill (SIGTERM) unwinds like Ctrl-C: the test runs end and the copies are removed.
    signal.signal(signal.SIGTERM, _on_sigterm)
    with tempfile.TemporaryDirectory(prefix="huiyin-mutate-") as tmp:
        try:
            workspaces = make_workspaces(max(1, args.jobs), Path(tmp))
            reports = [mutate_module(m, args, workspaces) for m in args.modules]
        except BaseException:
            _stop_all()
            raise
    print_report(reports)
    print(f"\n{time.monotonic() - started:.0f} s")
    return 1 if any(r.error for r in reports) else 0


if __name__ == "__main__":
    sys.exit(main())
