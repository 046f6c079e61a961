"""Contact details typed into free text are masked however they were typed."""
import pytest

from shared.redact import mask


@pytest.mark.parametrize("typed", [
    "13812345678", "138 1234 5678", "+86 138-1234-5678", "１３８１２３４５６７８",
    "0631-5201234", "(0631)5201234", "0631 5201234", "（０６３１）５２０１２３４",
    "li.ming@example.com", "ｌｉ＠ｅｘａｍｐｌｅ．ｃｏｍ", "37100219800101123X",
])
def test_a_contact_detail_is_masked_however_it_was_typed(typed):
    assert mask(f"联系人：{typed}，海滨路1号") == "联系人：***，海滨路1号"


def test_the_rest_of_the_text_keeps_its_own_characters():
    assert mask("环翠区，海滨路１号（二楼）") == "环翠区，海滨路１号（二楼）"
    assert mask("") == "" and mask(None) is None
