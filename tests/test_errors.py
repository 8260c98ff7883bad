from kit.errors import DataError, KitError, format_rows


def test_rows_are_listed_then_counted():
    assert format_rows([2, 5, 9], "en") == "2, 5, 9"
    assert format_rows(list(range(2, 22)), "en") == "2, 3, 4, 5, 6, 7, 8, 9, 10, 11, … (+10 more)"
    assert format_rows(list(range(2, 22)), "zh").endswith("（另有 10 行）")


def test_error_says_what_where_and_fix_in_both_languages():
    error = DataError("unknown_kind", file="survey.csv", rows=[7], column="nps", kind="surveys", kinds="a, b")
    en = error.render("en")
    assert en.startswith("There is no table kind called 'surveys'.")
    assert "File survey.csv, row(s) 7 (as numbered in Excel), column 'nps'." in en
    assert en.endswith("Use one of: a, b.")
    zh = error.render("zh")
    assert "文件 survey.csv，Excel 行号 7，列“nps”。" in zh and "请使用以下类型之一" in zh


def test_where_is_left_out_when_unknown():
    message = KitError("unknown_lang", value="fr").render("en")
    assert message == "The language 'fr' is not supported. Use zh (简体中文) or en (English)."
    assert isinstance(DataError("unknown_lang", value="x"), KitError)
