"""Benchmark policylint: the rows of issue 18's table as ratios, and (`--trees`) absolute times per tree.

Run from the repository root: `python scripts/bench.py [--repeat R] [--trees]`. Every figure comes from the
real command in a subprocess (what a pre-commit hook or CI step pays). Each ratio pairs its two commands run
by run, alternating, and compares medians of CPU time (user + system of the child, from `os.wait4`), which a
machine loaded by other work inflates far less than wall time; wall-time ratios are shown beside them.
Tests never assert timings; this script is where speed is measured.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, NamedTuple

ROOT = Path(__file__).resolve().parent.parent
CORPUS = next((base / "shared" / "corpus" / "realworld" for base in ROOT.parents
               if (base / "shared" / "corpus" / "realworld").is_dir()), ROOT / "corpus")  # a worktree sits deeper

JSON_POLICY = """{{
  "Version": "2012-10-17",
  "Statement": [
    {{"Sid": "Read{i}", "Effect": "Allow", "Action": ["secretsmanager:GetSecretValue", "secretsmanager:Describe*"],
     "Resource": "arn:aws:secretsmanager:eu-west-1:111122223333:secret:app{i}/*"}},
    {{"Sid": "Logs{i}", "Effect": "Allow", "Action": "logs:PutLogEvents", "Resource": "*"}}
  ]
}}
"""

TERRAFORM = """resource "aws_secretsmanager_secret" "db{i}" {{
  name       = "app{i}/db"
  kms_key_id = aws_kms_key.k{i}.arn
}}

resource "aws_kms_key" "k{i}" {{
  description = "key {i}"
}}

resource "aws_iam_policy" "read{i}" {{
  name = "read{i}"
  policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [{{
      Effect   = "Allow"
      Action   = ["secretsmanager:GetSecretValue", "secretsmanager:Describe*"]
      Resource = aws_secretsmanager_secret.db{i}.arn
    }}]
  }})
}}

data "aws_iam_policy_document" "trust{i}" {{
  statement {{
    actions = ["sts:AssumeRole"]
    principals {{
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }}
  }}
}}
"""

CLOUDFORMATION = """AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Secret{i}:
    Type: AWS::SecretsManager::Secret
    Properties:
      GenerateSecretString: {{PasswordLength: 32}}
  Role{i}:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {{Service: lambda.amazonaws.com}}
            Action: sts:AssumeRole
      Policies:
        - PolicyName: read
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action: [secretsmanager:GetSecretValue, secretsmanager:Describe*]
                Resource: !Ref Secret{i}
"""

GENERATORS = {
    "json": ("policy-{i}.json", JSON_POLICY),
    "terraform": ("main.tf", TERRAFORM),  # one module (directory) per file, as in a real monorepo
    "cloudformation": ("stack-{i}.yaml", CLOUDFORMATION),
}


NESTED_CALL = """
module "child{c}" {{
  source = "../m{child:04d}"
  name   = {name}
}}
"""


def generate_nested(count: int, root: Path, derived: bool = True) -> Path:
    """The Terraform tree again, each module calling two others (a binary tree, about 8 levels deep) with
    an argument: what module evaluation costs per file, next to the flat tree. `derived`: each call passes
    a value made from the caller's own input (`"${var.name}/1"`), so what a module receives differs with
    every module above it that is linted on its own (its input unknown); else a value of its own."""
    base = root / "terraform-modules"
    for i in range(count):
        folder = base / f"m{i:04d}"
        folder.mkdir(parents=True, exist_ok=True)
        text = 'variable "name" {\n  default = "root"\n}\n' + TERRAFORM.format(i=i).replace(f'"app{i}/db"', "var.name")
        text += "".join(NESTED_CALL.format(c=c, child=2 * i + c, name=f'"${{var.name}}/{c}"' if derived else f'"m{i}/{c}"')
                        for c in (1, 2) if 2 * i + c < count)
        (folder / "main.tf").write_text(text, encoding="utf-8")
    return base


def generate(kind: str, count: int, root: Path) -> Path:
    name, template = GENERATORS[kind]
    base = root / kind
    for i in range(count):
        folder = base / f"m{i:04d}" if kind == "terraform" else base
        folder.mkdir(parents=True, exist_ok=True)
        (folder / name.format(i=i)).write_text(template.format(i=i), encoding="utf-8")
    return base


def timed(args: list[str], repeat: int) -> tuple[float, int]:
    """Median wall time of the command, and its exit code."""
    samples, code = [], 0
    for _ in range(repeat):
        start = time.perf_counter()
        code = subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
        samples.append(time.perf_counter() - start)
    return statistics.median(samples), code


def checkov(executable: str, target: Path) -> list[str]:
    """The comparable checkov run: the same directory, Terraform framework, quiet JSON output."""
    return [executable, "-d", str(target), "--framework", "terraform", "--quiet", "--compact", "-o", "json"]


def baseline_commit_rows(command: list[str], tree: Path, repeat: int) -> list[tuple[str, float, int]]:
    """`--baseline-commit HEAD` against a plain run of the same tree, committed to a fresh repository."""
    env = {"GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.com", "GIT_COMMITTER_NAME": "bench",
           "GIT_COMMITTER_EMAIL": "bench@example.com", "PATH": os.environ.get("PATH", "")}
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "bench"]):
        subprocess.run(["git", *args], cwd=tree, env=env, check=True, stdout=subprocess.DEVNULL)
    plain = timed(command + [str(tree), "--project-root", str(tree)], repeat)
    compared = timed(command + [str(tree), "--project-root", str(tree), "--baseline-commit", "HEAD"], repeat)
    return [(f"  {tree.name} again, plain", *plain), (f"  with --baseline-commit HEAD ({compared[0] / plain[0]:.2f}x)", *compared)]


# --- issue 18's table: ratios from paired runs ----------------------------------------------------------


class Sample(NamedTuple):
    wall: float  # seconds
    cpu: float  # seconds, user + system of the child and the workers it waited for
    rss: float  # peak resident memory, MB
    code: int


def measure(args: list[str], env: dict[str, str] | None = None) -> Sample:
    """One run of a command, with its own resource usage (`os.wait4`: not mixed with other children)."""
    start = time.perf_counter()
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)  # reaped here, so Popen must not wait again
    return Sample(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, process.returncode)


def median(samples: list[Sample]) -> Sample:
    return Sample(*(statistics.median(values) for values in zip(*samples)))


def paired(first: Callable[[], Sample], second: Callable[[], Sample], repeat: int) -> tuple[Sample, Sample]:
    """Medians of the two, run alternately so that a change in the machine's load hits both alike."""
    firsts, seconds = [], []
    for _ in range(repeat):
        firsts.append(first())
        seconds.append(second())
    return median(firsts), median(seconds)


FLOOR = """
import json, os, sys
import yaml
import tree_sitter_hcl
from tree_sitter import Language, Parser
parser = Parser(Language(tree_sitter_hcl.language()))
for folder, _, names in os.walk(sys.argv[1]):
    for name in names:
        data = open(os.path.join(folder, name), "rb").read()
        try:
            if name.endswith(".tf"):
                parser.parse(data)
            elif name.endswith((".yaml", ".yml", ".template")):
                list(yaml.compose_all(data, Loader=yaml.CSafeLoader))
            elif name.endswith(".json"):
                json.loads(data)
        except (ValueError, yaml.YAMLError):
            pass
"""


def generate_mixed(count: int, root: Path) -> Path:
    """`count` files, a third each JSON policies, Terraform modules and CloudFormation stacks."""
    base = root / f"mixed-{count}"
    for i in range(count):
        kind = ("json", "terraform", "cloudformation")[i % 3]
        name, template = GENERATORS[kind]
        folder = base / kind / (f"m{i:04d}" if kind == "terraform" else "")
        folder.mkdir(parents=True, exist_ok=True)
        (folder / name.format(i=i)).write_text(template.format(i=i), encoding="utf-8")
    return base


def generate_directory(count: int, folder: Path) -> list[Path]:
    """One Terraform module of `count` files (a pre-commit run names a few of them)."""
    folder.mkdir(parents=True)
    paths = [folder / f"r{i:04d}.tf" for i in range(count)]
    for i, path in enumerate(paths):
        path.write_text(TERRAFORM.format(i=i), encoding="utf-8")
    return paths


def big_template(lines: int) -> str:
    """A CloudFormation template of about `lines` lines (for the language server rows)."""
    resources, i = [], 0
    while sum(r.count("\n") for r in resources) < lines:
        body = CLOUDFORMATION.format(i=i).split("Resources:\n", 1)[1]
        resources.append(body)
        i += 1
    return 'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n' + "".join(resources)


class LanguageClient:
    """Just enough of an LSP client over stdio to time the server's diagnostics (and its CPU, from /proc)."""

    def __init__(self, command: list[str], env: dict[str, str]) -> None:
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.DEVNULL, env=env)
        self.ids = 0

    def send(self, method: str, params: dict, request: bool = False) -> None:
        message: dict = {"jsonrpc": "2.0", "method": method, "params": params}
        if request:
            self.ids += 1
            message["id"] = self.ids
        body = json.dumps(message).encode()
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()

    def receive(self) -> dict:
        length = 0
        while (line := self.process.stdout.readline().strip()):
            name, _, value = line.partition(b":")
            if name.lower() == b"content-length":
                length = int(value)
        return json.loads(self.process.stdout.read(length))

    def wait_for(self, method: str | None) -> dict:
        """The next message of that method (None: the next response)."""
        while True:
            message = self.receive()
            if (method is None and "id" in message and "method" not in message) or message.get("method") == method:
                return message
            if "id" in message and "method" in message:  # a request from the server: answer it
                body = json.dumps({"jsonrpc": "2.0", "id": message["id"], "result": None}).encode()
                self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
                self.process.stdin.flush()

    def cpu(self) -> float:
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def settle(self, quiet: float = 0.5, limit: float = 10.0) -> None:
        """Wait until the server has used no CPU for `quiet` seconds (its warm-up is done)."""
        deadline, last, since = time.perf_counter() + limit, self.cpu(), time.perf_counter()
        while time.perf_counter() < deadline:
            time.sleep(0.03)
            now = self.cpu()
            if now != last:
                last, since = now, time.perf_counter()
            elif time.perf_counter() - since >= quiet:
                return

    def close(self) -> None:
        self.send("shutdown", {}, request=True)
        self.wait_for(None)
        self.send("exit", {})
        self.process.wait(10)


def lsp_sample(folder: Path, text: str, env: dict[str, str], settle: bool = False) -> tuple[Sample, Sample]:
    """(first diagnostic after `initialize`, re-lint after one edit) of one server, wall and CPU; `settle`:
    the document is opened once the server is idle (an editor that starts it before the first file opens)."""
    path = folder / "template.yaml"
    uri = path.as_uri()
    client = LanguageClient([sys.executable, "-m", "linter", "lsp"], env)
    client.send("initialize", {"processId": os.getpid(), "rootUri": folder.as_uri(), "capabilities": {},
                               "initializationOptions": {"debounce_ms": 0}}, request=True)
    client.wait_for(None)
    client.send("initialized", {})
    if settle:
        client.settle()
    start, cpu = time.perf_counter(), client.cpu()
    client.send("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": text}})
    client.wait_for("textDocument/publishDiagnostics")
    first = Sample(time.perf_counter() - start, client.cpu() - cpu, 0, 0)
    relints = []
    for version in range(2, 7):
        start, cpu = time.perf_counter(), client.cpu()
        edited = text.replace("PasswordLength: 32", f"PasswordLength: {30 + version}", 1)
        client.send("textDocument/didChange", {"textDocument": {"uri": uri, "version": version},
                                               "contentChanges": [{"text": edited}]})
        client.wait_for("textDocument/publishDiagnostics")
        relints.append(Sample(time.perf_counter() - start, client.cpu() - cpu, 0, 0))
    client.close()
    return first, median(relints)


def ratio(label: str, subject: Sample, base: Sample, target: str, note: str = "") -> tuple[str, str, str, str, str]:
    return (label, f"{subject.cpu / base.cpu:.2f}x", f"{subject.wall / base.wall:.2f}x", target, note)


def table(repeat: int, tmp: Path) -> list[tuple[str, str, str, str, str]]:
    """Every row of issue 18's table, measured now."""
    command = [sys.executable, "-m", "linter", "check", "--no-config"]
    cache = tmp / "cache"
    env = {**os.environ, "XDG_CACHE_HOME": str(cache)}
    run = lambda *args, environ=env: lambda: measure([*command, *map(str, args)], environ)  # noqa: E731
    yaml_import = lambda: measure([sys.executable, "-c", "import yaml"], env)  # noqa: E731
    floor = lambda tree: lambda: measure([sys.executable, "-c", FLOOR, str(tree)], env)  # noqa: E731
    rows = []
    singles = {}
    for kind, (name, template) in GENERATORS.items():
        path = tmp / "single" / kind / name.format(i=0)
        path.parent.mkdir(parents=True)
        path.write_text(template.format(i=0), encoding="utf-8")
        singles[kind] = path
    run(singles["json"])()  # fills the catalog cache
    for kind, path in singles.items():
        check, base = paired(run(path), yaml_import, repeat * 3)
        rows.append(ratio(f"one-file cold check ({path.suffix}) vs import yaml", check, base, "<= 2.5x",
                          f"{check.cpu * 1000:.0f} ms CPU"))

    def fresh() -> Sample:
        empty = Path(tempfile.mkdtemp(dir=tmp))
        return measure([*command, str(singles["terraform"])], {**os.environ, "XDG_CACHE_HOME": str(empty)})

    check, base = paired(fresh, yaml_import, repeat * 2)
    rows.append(ratio("the same, empty cache (fresh container), .tf", check, base, "<= 3x", f"{check.cpu * 1000:.0f} ms CPU"))

    mixed = generate_mixed(1000, tmp)
    for label, extra in (("-j1", ["--jobs", "1"]), ("default jobs", [])):
        check, base = paired(run(*extra, mixed), floor(mixed), repeat)
        rows.append(ratio(f"1,000 mixed files vs parse-only floor, {label}", check, base, "<= 3x"))
    if CORPUS.is_dir():
        check, base = paired(run("--jobs", "1", CORPUS), floor(CORPUS), repeat)
        rows.append(ratio("real-world corpus vs parse-only floor, -j1", check, base, "<= 3x"))

    large = generate_mixed(5000, tmp)
    one, small, big = (median([run("--jobs", "1", tree)() for _ in range(repeat)]) for tree in (singles["json"], mixed, large))
    per_small, per_big = ((s.cpu - one.cpu) / n * 1000 for s, n in ((small, 1000), (big, 5000)))
    rows.append(("marginal CPU per file, 1,000 -> 5,000, -j1", f"{per_big / per_small:.2f}x", "", "1.00x (+-5%)",
                 f"{per_small:.2f} -> {per_big:.2f} ms"))

    if CORPUS.is_dir():
        copies = tmp / "corpus-x12"
        for n in range(12):
            shutil.copytree(CORPUS, copies / f"copy{n:02d}", symlinks=True)
        files = sum(1 for p in copies.rglob("*") if p.is_file())
        peak = median([run("--jobs", "1", copies)() for _ in range(max(1, repeat // 2))])
        rows.append((f"peak memory, {files:,} real-world files, -j1", f"{peak.rss:.0f} MB", "", "< 100 MB",
                     f"vs {yaml_import().rss:.0f} MB for import yaml"))

    rows += terraform_rows(run, repeat, tmp)

    try:
        import pygls  # noqa: F401 - only to know whether the server can start
    except ImportError:
        return rows
    folder = tmp / "lsp"
    folder.mkdir()
    text = big_template(2000)
    samples = [lsp_sample(folder, text, env) for _ in range(repeat)]
    warmed = [lsp_sample(folder, text, env, settle=True)[0] for _ in range(repeat)]
    base = median([yaml_import() for _ in range(repeat)])
    first, relint = median([s[0] for s in samples]), median([s[1] for s in samples])
    rows.append(("LSP first diagnostic after initialize (2,000 lines)", f"{first.cpu * 1000:.0f} ms", f"{first.wall * 1000:.0f} ms",
                 "<= 40 ms", f"{first.cpu / base.cpu:.2f}x import yaml (CPU)"))
    first = median(warmed)
    rows.append(("  the same, opened once the warm-up is done", f"{first.cpu * 1000:.0f} ms", f"{first.wall * 1000:.0f} ms",
                 "<= 40 ms", f"{first.cpu / base.cpu:.2f}x import yaml (CPU)"))
    rows.append(("LSP re-lint of a 2,000-line CloudFormation template", f"{relint.cpu * 1000:.0f} ms", f"{relint.wall * 1000:.0f} ms",
                 "<= 20 ms", f"{relint.cpu / base.cpu:.2f}x import yaml (CPU)"))
    return rows


def terraform_rows(run: Callable[..., Callable[[], Sample]], repeat: int, tmp: Path) -> list[tuple[str, str, str, str, str]]:
    """Module evaluation against a flat tree (per file), and a pre-commit run against its files alone."""
    rows = []
    flat, nested = generate("terraform", 300, tmp / "flat"), generate_nested(300, tmp / "nested")
    one = median([run("--jobs", "1", flat / "m0000" / "main.tf")() for _ in range(repeat)])
    own = generate_nested(300, tmp / "nested-own", derived=False)
    for label, tree in (("300 modules calling modules vs 300 flat modules, -j1", nested),
                        ("  the same, each call passing a value of its own", own)):
        check, base = paired(run("--jobs", "1", tree), run("--jobs", "1", flat), repeat)
        marginal = (check.cpu - one.cpu) / (base.cpu - one.cpu)
        rows.append(ratio(label, check, base, "<= 1x per file", f"{marginal:.2f}x per file after start-up"))
    # Linear: twice the modules (one level deeper) cost twice as much, give or take what the level adds.
    double = generate_nested(600, tmp / "nested-600")
    check, base = paired(run("--jobs", "1", double), run("--jobs", "1", nested), repeat)
    marginal = (check.cpu - one.cpu) / (base.cpu - one.cpu) / 2
    rows.append(ratio("600 modules calling modules vs 300, -j1", check, base, "linear",
                      f"{marginal:.2f}x per file after start-up"))
    for count in (300, 1000):
        named = generate_directory(count, tmp / f"dir-{count}")[:3]
        alone = tmp / f"alone-{count}"
        alone.mkdir()
        for path in named:
            shutil.copy(path, alone / path.name)
        check, base = paired(run(*named), run(*sorted(alone.iterdir())), repeat)
        rows.append(ratio(f"pre-commit: 3 files in a {count}-file module vs alone", check, base, "<= 1.3x"))
    return rows


def print_table(rows: list[tuple[str, str, str, str, str]]) -> None:
    header = ("measure", "CPU", "wall", "target", "")
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(5)]
    for row in [header, *rows]:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())


def trees(options: argparse.Namespace) -> None:
    """Absolute wall times per generated tree and corpus folder (`--trees`)."""
    command = [sys.executable, "-m", "linter", "check", *options.extra]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        single = Path(tmp) / "one.json"
        single.write_text(JSON_POLICY.format(i=0), encoding="utf-8")
        rows.append(("start-up: one JSON policy", *timed(command + [str(single)], options.repeat * 3)))
        for kind in GENERATORS:
            tree = generate(kind, options.files, Path(tmp))
            rows.append((f"{options.files} generated {kind} files", *timed(command + [str(tree)], options.repeat)))
            if options.checkov and kind == "terraform":
                rows.append((f"  checkov, same {kind} tree", *timed(checkov(options.checkov, tree), 1)))
            if kind == "terraform":
                nested = generate_nested(options.files, Path(tmp))
                rows.append((f"{options.files} terraform modules calling modules", *timed(command + [str(nested)], options.repeat)))
                rows += baseline_commit_rows(command, tree, options.repeat)
        if CORPUS.is_dir():
            for folder in sorted(CORPUS.iterdir()):
                rows.append((f"corpus: {folder.name}", *timed(command + [str(folder)], options.repeat)))
                if options.checkov and folder.name.startswith("terraform"):
                    rows.append(("  checkov, same folder", *timed(checkov(options.checkov, folder), 1)))
    width = max(len(label) for label, _, _ in rows)
    for label, seconds, code in rows:
        print(f"{label:<{width}}  {seconds * 1000:9.0f} ms  (exit {code})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1000, help="with --trees: files per generated tree")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--trees", action="store_true", help="absolute times per tree instead of the issue's table")
    parser.add_argument("--extra", nargs="*", default=[], help="with --trees: extra arguments for policylint check")
    parser.add_argument("--checkov", metavar="PATH", help="with --trees: a checkov executable to time on Terraform too")
    parser.add_argument("--terraform", action="store_true", help="only the Terraform rows of the table")
    options = parser.parse_args()
    if options.trees:
        trees(options)
        return
    with tempfile.TemporaryDirectory() as tmp:
        os.chdir(tmp)  # every command starts in an empty directory: nothing around it to read
        if options.terraform:
            command = [sys.executable, "-m", "linter", "check", "--no-config"]
            env = {**os.environ, "XDG_CACHE_HOME": str(Path(tmp) / "cache")}
            run = lambda *args: lambda: measure([*command, *map(str, args)], env)  # noqa: E731
            print_table(terraform_rows(run, options.repeat, Path(tmp)))
            return
        print_table(table(options.repeat, Path(tmp)))

if __name__ == "__main__":
    main()
