import pytest

from mediation.identity import InvalidIdNumber, normalise_id_number


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
