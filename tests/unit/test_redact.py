"""Personal data typed into free text is found however it was typed; business data is not."""
import pytest

from shared.redact import contains_personal_data, mask

PERSONAL = [
    # mobile numbers
    "13812345678", "138 1234 5678", "1390 531 8642", "138-1234-5678", "139.5310.0196",
    "+86 138-1234-5678", "+86 13953100196", "8613953100196", "１３８１２３４５６７８", "１３９　５３１０　０１９６",
    # landlines (Weihai 0631, Beijing 010)
    "0631-5201234", "0631 521 2345", "0631.521.2345", "(0631)5201234", "0631 5201234",
    "（０６３１）５２０１２３４", "010-62345678", "+86 631 5212345",
    # resident ID numbers: valid check digit, separated, mistyped check digit, full-width
    "37100219800101123X", "37100219800101123x", "371002 19880808 1239", "371002-19800101-123X",
    "３７１００２１９８００１０１１２３Ｘ",
    # e-mail addresses
    "li.ming@example.com", "li.ming @ example.com", "li_ming@example . com.cn",
    "ｌｉ＠ｅｘａｍｐｌｅ．ｃｏｍ", "12345678@qq.com",
    # bank cards (Luhn-valid)
    "6222021234567890128", "6222 0212 3456 7890 128", "6228-4800-1234-5678-903", "4213 4912 3456 7895",
]


@pytest.mark.parametrize("typed", PERSONAL)
def test_personal_data_is_masked_however_it_was_typed(typed):
    assert mask(f"联系人：{typed}，海滨路1号") == "联系人：***，海滨路1号"
    assert mask(f"call {typed} now") == "call *** now"


BUSINESS = [
    "91371002MA3C4L8X1K",                 # unified social credit code
    "913710027060123455",                 # an all-digit credit code
    "教民137100270000123号",               # school permit number
    "营业执照 371002200012345",             # business licence registration number
    "2026-12-06", "2026.12.06", "2026年12月6日", "20261206",
    "威环教罚〔2026〕12号", "案件编号 2026-0001", "WH-2026-000123",
    "12345热线转办", "110", "海滨路100号3单元501室", "学员 120 人，收费 36800 元",
    "9:00-21:00", "371002", "邮编 264200",
    "6222021234567890127",                # 19 digits failing the Luhn check
    "37100219881308081239",               # 20 digits
    "371002198813081239",                 # ID-shaped, month 13
]


@pytest.mark.parametrize("text", BUSINESS)
def test_business_data_is_not_mistaken_for_personal_data(text):
    assert mask(text) == text
    assert not contains_personal_data(text)


def test_several_details_in_one_text_are_each_masked():
    text = "王老师 139 5310 0196，邮箱 wang@example.com；家长身份证 37100219800101123X。"
    assert mask(text, "＊") == "王老师 ＊，邮箱 ＊；家长身份证 ＊。"


def test_numbers_typed_one_after_the_other_are_each_found():
    assert mask("138 1234 5678 6222 0212 3456 7890 128") == "*** ***"
    assert mask("0631-5212345 37100219800101123X") == "*** ***"


def test_empty_text_stays_as_it_was():
    assert mask("") == "" and mask(None) is None


def test_a_bracket_around_a_number_stays_unless_it_is_the_area_code():
    assert mask("王建国（13912345678）说") == "王建国（***）说"
    assert mask("电话(0631)5212345") == "电话***"


def test_no_phone_number_of_any_country_is_shorter_than_the_texts_the_matcher_skips():
    import phonenumbers
    from phonenumbers import PhoneMetadata

    from shared import redact
    shortest = min(min(length for length in meta.general_desc.possible_length if length > 0)
                   + len(str(meta.country_code))
                   for meta in map(PhoneMetadata.metadata_for_region, phonenumbers.SUPPORTED_REGIONS))
    assert redact._PHONE_DIGITS <= shortest
