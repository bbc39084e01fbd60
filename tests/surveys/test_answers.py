"""Reading a rating forgivingly, and refusing to guess."""
import pytest

from app.surveys.answers import read_score


@pytest.mark.parametrize("answer, score", [
    ("5", 5), ("１", 1), ("５分", 5), ("3分", 3), (" 4 ", 4), ("给五分", 5), ("4颗星", 4), ("5 stars", 5),
])
def test_digits_half_or_full_width_with_or_without_a_unit_are_read(answer, score):
    assert read_score(answer) == score


@pytest.mark.parametrize("answer, score", [
    ("非常满意", 5), ("很满意！", 5), ("满意", 4), ("比较满意", 4), ("一般", 3),
    ("不太满意", 2), ("不满意", 1), ("非常不满意", 1), ("Very satisfied", 5), ("not satisfied", 1),
])
def test_words_give_their_score_and_a_negation_is_never_read_as_praise(answer, score):
    assert read_score(answer) == score


@pytest.mark.parametrize("answer, score", [
    ("师傅很专业，5分", 5), ("满意，师傅来得很快", 4), ("不太满意，等了很久", 2), ("工单10012342 评5分", 5),
])
def test_extra_words_and_a_ticket_number_around_the_answer_are_ignored(answer, score):
    assert read_score(answer) == score


def test_a_digit_beats_the_words_beside_it():
    assert read_score("满意 3") == 3


@pytest.mark.parametrize("answer", [
    "", None, "空调又坏了", "10分", "0", "6", "1 5", "满意但是不满意", "工单10012342", "?" * 600,
])
def test_no_score_or_two_different_scores_is_not_understood(answer):
    assert read_score(answer) is None
