from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils import translation

from mediation.identity import InvalidIdNumber, normalise_id_number
from tests.factories import open_divorce_case


def test_full_width_digits_spaces_and_a_small_x_are_normalised():
    assert normalise_id_number("１１０１０５ 1949 1231 002x") == "11010519491231002X"


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("1101051949123100", "length"),
        ("11010519491231002A", "characters"),
        ("110105194902300021", "birth_date"),
        ("110105194912310021", "check_digit"),
    ],
)
def test_malformed_numbers_say_why(raw, code):
    with pytest.raises(InvalidIdNumber) as error:
        normalise_id_number(raw)

    assert error.value.code == code


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("፪" * 18, "characters"),  # Ethiopic digits: int() would refuse them
        ("١١٠١٠٥١٩٤٩١٢٣١٠٠٢X", "characters"),  # Arabic-Indic digits: int() would take them
        ("11010519491231002\u200b", "characters"),  # a zero-width space is not a space
    ],
)
def test_digits_of_other_scripts_are_refused_with_the_clean_error(raw, code):
    with pytest.raises(InvalidIdNumber) as error:
        normalise_id_number(raw)

    assert error.value.code == code


def test_the_refusal_speaks_chinese():
    with translation.override("zh-hans"), pytest.raises(InvalidIdNumber) as error:
        normalise_id_number("١١٠١٠٥١٩٤٩١٢٣١٠٠٢X")

    assert error.value.message == "身份证号码应为17位数字加1位数字或X。"


def test_the_record_form_shows_the_refusal_next_to_the_id_number(client, counselor, xlt):
    case = open_divorce_case(xlt, counselor)
    client.force_login(counselor)
    url = reverse("mediation:party-edit", kwargs={"case_uuid": case.uuid, "position": 1})

    response = client.post(url, {"name": "某某", "id_number": "፪" * 18})

    assert response.status_code == HTTPStatus.OK
    assert response.context["form"].errors["id_number"] == ["身份证号码应为17位数字加1位数字或X。"]
    assert "身份证号码应为17位数字加1位数字或X。" in response.text
