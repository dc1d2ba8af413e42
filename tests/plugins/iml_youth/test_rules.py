"""Youth IML pure rules: the age window, the CEJ's length and allowance, its status."""

import datetime as dt

from tremplin_housing.api import SUBLEASE_AGREEMENT, agreement_end
from tremplin_iml_youth.rules import (
    age_refusal,
    cej_errors,
    cej_status,
)

D = dt.date


def test_age_window_is_18_to_25_on_the_decision_date():
    assert age_refusal(D(2006, 1, 20), D(2024, 1, 20)) is None  # 18 today
    assert age_refusal(D(1998, 1, 21), D(2024, 1, 20)) is None  # 25, 26 tomorrow
    assert "a 26 ans" in age_refusal(D(1998, 1, 20), D(2024, 1, 20))
    assert "a 17 ans" in age_refusal(D(2006, 1, 21), D(2024, 1, 20))
    assert "n'est pas renseignée" in age_refusal(None, D(2024, 1, 20))


def test_cej_lasts_18_months_at_most_and_pays_528_euros_at_most():
    assert cej_errors({"cej_start": "2024-01-15", "cej_end": "2025-01-14"}) == {}
    assert cej_errors({"cej_start": "2024-01-15", "cej_end": "2025-07-15"}) == {}
    assert (
        "18 au plus" in cej_errors({"cej_start": "2024-01-15", "cej_end": "2025-07-16"})["cej_end"]
    )
    assert (
        "suivre son début"
        in cej_errors({"cej_start": "2024-01-15", "cej_end": "2024-01-01"})["cej_end"]
    )
    assert cej_errors({"cej_end": "2024-01-01"}) == {
        "cej_start": "indiquez la date de début du CEJ"
    }
    assert cej_errors({"cej_allowance": 52_800}) == {}
    assert "528,00" in cej_errors({"cej_allowance": 52_801})["cej_allowance"]
    assert "cej_suspended_on" in cej_errors({"cej_suspended": True})


def test_cej_status_and_agreement_end():
    on = D(2024, 6, 1)
    assert cej_status({}, on) == "pas de CEJ"
    assert (
        cej_status({"cej_start": "2024-01-15", "cej_end": "2025-01-14"}, on)
        == "en cours jusqu'au 14/01/2025"
    )
    assert (
        cej_status({"cej_start": "2023-01-15", "cej_end": "2024-01-14"}, on)
        == "terminé le 14/01/2024"
    )
    assert (
        cej_status(
            {"cej_start": "2024-01-15", "cej_suspended": True, "cej_suspended_on": "2024-05-02"}, on
        )
        == "suspendu depuis le 02/05/2024"
    )
    assert agreement_end(D(2024, 1, 31), SUBLEASE_AGREEMENT, []) == D(2024, 4, 30)
    assert agreement_end(D(2024, 1, 15), SUBLEASE_AGREEMENT, [{"until": D(2025, 7, 15)}]) == D(
        2025, 7, 15
    )
