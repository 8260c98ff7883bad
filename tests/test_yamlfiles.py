"""Course YAML through libyaml's parser reads exactly as through PyYAML's pure-Python safe loader."""

import pytest
import yaml

from kit import yamlfiles
from kit.paths import COURSE, ROOT

FILES = sorted([*COURSE.rglob("*.yml"), *(ROOT / "kit" / "locale").glob("*.yml")])


def test_the_c_parser_is_used_where_pyyaml_has_it():
    assert yamlfiles.LOADER is (yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader)


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_course_file_reads_the_same(path):
    text = path.read_text(encoding="utf-8")
    assert yamlfiles.load(text) == yaml.safe_load(text)


def test_unsafe_tags_are_refused():
    with pytest.raises(yaml.YAMLError):
        yamlfiles.load("!!python/object/apply:os.system ['true']")
