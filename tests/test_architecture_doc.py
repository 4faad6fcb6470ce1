"""ARCHITECTURE.md names only paths and functions that exist, and stays one screen."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "ARCHITECTURE.md"
# A path of the repository: a top-level folder, then folders and a file, a folder or a glob.
PATH = re.compile(
    r"\b(?:skill|stagewise_tools|lambda|interaction_model|tests|bench)/[\w./<>*-]*[\w>/*]"
)
# `answers.answer_step`, `skill.app.handle_event`: a module of the runtime and a name in it.
DOTTED = re.compile(r"`((?:skill\.)?[a-z_]+(?:\.[a-z_]+)*)\.([A-Za-z_]\w*)")
LOCALE_FOLDER = "<locale>"


def named_paths(text: str) -> list[str]:
    return sorted(set(PATH.findall(text)))


def exists(path: str) -> bool:
    """A named path exists; `<locale>` stands for each content folder (en-US checked)."""
    path = path.replace(LOCALE_FOLDER, "en-US")
    return any(ROOT.glob(path)) if "*" in path else (ROOT / path).exists()


def module_file(module: str) -> Path | None:
    """The file of a runtime module named in full (skill.app) or by a handler's name."""
    dotted = module if module.startswith("skill.") else f"skill.handlers.{module}"
    for candidate in (dotted, f"skill.{module}"):
        base = ROOT / Path(*candidate.split("."))
        for path in (base.with_suffix(".py"), base / "__init__.py"):
            if path.is_file():
                return path
    return None


def defined_names(path: Path) -> set[str]:
    """What a module defines: its top-level names, and its classes' methods and attributes
    (`turn.ask` names a method of the module's Turn)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.FunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(t.id for t in targets if isinstance(t, ast.Name))
            names.update(t.attr for t in targets if isinstance(t, ast.Attribute))
    return names


def missing_names(text: str) -> list[str]:
    """Dotted names (`module.name`) whose module or name does not exist; a dotted file
    name (`prompts.json`) is a path, not a name."""
    missing = []
    for module, name in DOTTED.findall(text):
        if name in ("py", "json", "md", "yaml", "toml"):
            continue
        path = module_file(module)
        if path is None or name not in defined_names(path):
            missing.append(f"{module}.{name}")
    return missing


def test_every_path_architecture_md_names_exists() -> None:
    paths = named_paths(DOC.read_text(encoding="utf-8"))
    assert len(paths) >= 20, paths  # the pattern still finds the paths the page names
    missing = [p for p in paths if not exists(p)]
    assert missing == [], f"ARCHITECTURE.md names paths that do not exist: {missing}"


def test_every_module_and_function_architecture_md_names_exists() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert len(DOTTED.findall(text)) >= 5  # the pattern still finds the names the page uses
    assert missing_names(text) == []


def test_a_path_or_a_name_that_does_not_exist_is_caught() -> None:
    assert not exists("skill/handlers/no_such_module.py")
    assert named_paths("see `skill/ritual.py` and skill/web/app.py.") == [
        "skill/ritual.py",
        "skill/web/app.py",
    ]
    assert not exists("skill/ritual.py")
    assert exists("skill/content/<locale>/*.json")
    said = "`answers.correct`, `saving.store_answer`, `skill.app.handle_event`, `prompts.json`"
    assert missing_names(said) == ["answers.correct"]


def test_architecture_md_is_one_screen_and_linked_from_the_readme() -> None:
    assert len(DOC.read_text(encoding="utf-8").splitlines()) <= 70
    assert "(ARCHITECTURE.md)" in (ROOT / "README.md").read_text(encoding="utf-8")
