"""docs/coverage.md says where each standards, improvement, capability and planning item is taught: every key,
question and kit name it points to must exist, in both languages."""

import importlib
import importlib.util
import re

import pytest
import yaml

from kit.paths import COURSE, ROOT

DOC = (ROOT / "docs" / "coverage.md").read_text(encoding="utf-8")
REFERENCES = sorted(set(re.findall(r"`([a-z][\w./-]*#\w+|kit\.[\w.]+)`", DOC)))
SECTIONS = ("X1", "X2", "X3", "X4")


def keys(path) -> set[str]:
    return set(yaml.safe_load(path.read_text(encoding="utf-8")) or {})


def test_every_section_of_the_brief_is_listed_with_its_items():
    for section in SECTIONS:
        block = DOC.split(f"## {section}", 1)[1].split("\n## ", 1)[0]
        assert len(re.findall(r"^\| (?!Item|---)", block, re.M)) >= 6, section


@pytest.mark.parametrize("reference", REFERENCES)
def test_the_reference_exists(reference):
    if reference.startswith("kit."):
        module, _, name = reference.rpartition(".")
        found = importlib.import_module(module) if importlib.util.find_spec(module) else None
        if found is None or not hasattr(found, name):
            found = importlib.import_module(reference)  # a module named in full
        assert found is not None
        return
    file, key = reference.split("#")
    if file.endswith("/quiz") or file.startswith("exercises/"):
        neutral = COURSE / f"{file}.yml"
        table = yaml.safe_load(neutral.read_text(encoding="utf-8"))
        assert key in (table.get("questions", table) if file.startswith("exercises/") else table), reference
        return
    for lang in ("zh", "en"):
        assert key in keys(COURSE / f"{file}.{lang}.yml"), f"{reference} ({lang})"
