"""The schemas are the contract of every table: they must be unambiguous."""

import pytest

from kit.data.schemas import KINDS, SCHEMAS, get_schema, normalise_header
from kit.errors import KitError


@pytest.mark.parametrize("kind", KINDS)
def test_every_header_maps_to_exactly_one_column(kind):
    schema = SCHEMAS[kind]
    seen = {}
    for field in schema.fields:
        for header in field.headers:
            key = normalise_header(header)
            assert seen.setdefault(key, field.name) == field.name, f"{header!r}: {seen[key]} and {field.name}"


@pytest.mark.parametrize("kind", KINDS)
def test_keys_order_rules_and_choice_labels_are_consistent(kind):
    schema = SCHEMAS[kind]
    assert schema.key and set(schema.key) <= set(schema.by_name)
    assert all(a in schema.by_name and b in schema.by_name for a, b in schema.order)
    for field in schema.fields:
        meaning = {}
        for code, labels in (field.choices or {}).items():
            for label in (str(code), *labels):
                folded = normalise_header(label)
                assert meaning.setdefault(folded, code) == code, f"{field.name}: {label!r} means two codes"


def test_headers_are_folded_for_matching():
    assert normalise_header(" 推荐值（0-10） ") == "推荐值"
    assert normalise_header("Response ID") == normalise_header("response_id") == "responseid"
    assert normalise_header("ＮＰＳ") == "nps"


def test_unknown_kind_lists_the_kinds():
    with pytest.raises(KitError) as error:
        get_schema("survey")
    assert "survey_responses" in error.value.render("en")
