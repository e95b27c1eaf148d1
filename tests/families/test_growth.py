"""WHO growth z-scores, Permenkes categories and the SVG chart.

Reference values are worked out here by hand from the LMS formula, with the
L, M, S copied from the rows of families/data/who/*.csv named next to them, so
a mistake in the module's table loading cannot also hide in the expectation.
"""

import math
import re

import pytest
from django.conf import settings
from django.utils import translation

from families import growth
from families.charts import growth_chart_svg


def lms_z(y, L, M, S):
    if L == 0:
        return math.log(y / M) / S
    return ((y / M) ** L - 1) / (L * S)


def sd_value(L, M, S, k):
    return M * (1 + L * S * k) ** (1 / L)


def restricted_z(y, L, M, S):
    """WHO SD23 rule for weight-based indices."""
    z = lms_z(y, L, M, S)
    if z > 3:
        return 3 + (y - sd_value(L, M, S, 3)) / (sd_value(L, M, S, 3) - sd_value(L, M, S, 2))
    if z < -3:
        return -3 + (y - sd_value(L, M, S, -3)) / (sd_value(L, M, S, -2) - sd_value(L, M, S, -3))
    return z


# --- the two published anchor points ------------------------------------


def test_boy_731_days_standing_81cm_is_minus_two():
    assert growth.zscore("hfa", "M", 731, 81.0, measured="standing") == pytest.approx(-2.00, abs=0.01)


def test_girl_365_days_7kg_is_minus_2_05():
    assert growth.zscore("wfa", "F", 365, 7.0) == pytest.approx(-2.05, abs=0.01)


# --- hand-computed reference points ----------------------------------------

REFERENCE_POINTS = [
    # (indicator, sex, age_days, value, length_cm, measured, expected)
    # length_height_for_age.csv F,0,1,49.1477,0.0379,lying
    ("hfa", "F", 0, 47.0, None, "lying", lms_z(47.0, 1, 49.1477, 0.0379)),
    # M,1000,1,93.9706,0.03783,standing
    ("hfa", "M", 1000, 97.3, None, "standing", lms_z(97.3, 1, 93.9706, 0.03783)),
    # F,1826,1,109.4189,0.04346,standing; no restricted tail for hfa even far beyond +3
    ("hfa", "F", 1826, 130.0, None, None, lms_z(130.0, 1, 109.4189, 0.04346)),
    # F,600,1,82.4228,0.03636,lying; measured standing under 731 days, so +0.7 cm
    ("hfa", "F", 600, 80.0, None, "standing", lms_z(80.7, 1, 82.4228, 0.03636)),
    # weight_for_age.csv M,100,0.1682,6.5699,0.11588
    ("wfa", "M", 100, 5.9, None, None, lms_z(5.9, 0.1682, 6.5699, 0.11588)),
    # F,1500,-0.3378,16.302,0.13991
    ("wfa", "F", 1500, 19.4, None, None, lms_z(19.4, -0.3378, 16.302, 0.13991)),
    # weight_for_length.csv M,75.0,-0.3521,9.5032,0.08295,lying
    ("wfh", "M", 400, 8.6, 75.0, "lying", lms_z(8.6, -0.3521, 9.5032, 0.08295)),
    # weight_for_height.csv F,85.0,-0.3833,11.3934,0.08896,standing;
    # 900 days measured lying at 85.7 is 85.0 standing
    ("wfh", "F", 900, 12.1, 85.7, "lying", lms_z(12.1, -0.3833, 11.3934, 0.08896)),
    # bmi_for_age.csv M,500,-0.5172,16.2897,0.07904,lying
    ("bfa", "M", 500, 10.0, 78.0, "lying", lms_z(10.0 / 0.78**2, -0.5172, 16.2897, 0.07904)),
    # F,1200,-0.5684,15.3434,0.08675,standing
    ("bfa", "F", 1200, 14.0, 95.0, None, lms_z(14.0 / 0.95**2, -0.5684, 15.3434, 0.08675)),
]


@pytest.mark.parametrize(
    ("indicator", "sex", "age_days", "value", "length_cm", "measured", "expected"), REFERENCE_POINTS
)
def test_reference_points(indicator, sex, age_days, value, length_cm, measured, expected):
    z = growth.zscore(indicator, sex, age_days, value, length_cm=length_cm, measured=measured)
    assert z == pytest.approx(expected, abs=1e-9)
    assert -3 < expected < 3 or indicator == "hfa"  # the restricted tails are tested below


def test_wfa_restricted_tail_above_plus_three():
    # weight_for_age.csv M,365,0.0645,9.646,0.10925
    L, M, S = 0.0645, 9.646, 0.10925
    assert lms_z(14.5, L, M, S) > 3
    expected = 3 + (14.5 - sd_value(L, M, S, 3)) / (sd_value(L, M, S, 3) - sd_value(L, M, S, 2))
    z = growth.zscore("wfa", "M", 365, 14.5)
    assert z == pytest.approx(expected, abs=1e-9)
    assert z != pytest.approx(lms_z(14.5, L, M, S), abs=1e-3)


def test_wfa_restricted_tail_below_minus_three():
    # weight_for_age.csv F,365,-0.2022,8.9462,0.12267
    L, M, S = -0.2022, 8.9462, 0.12267
    assert lms_z(5.6, L, M, S) < -3
    expected = -3 + (5.6 - sd_value(L, M, S, -3)) / (sd_value(L, M, S, -2) - sd_value(L, M, S, -3))
    z = growth.zscore("wfa", "F", 365, 5.6)
    assert z == pytest.approx(expected, abs=1e-9)
    assert z != pytest.approx(lms_z(5.6, L, M, S), abs=1e-3)


def test_wfh_and_bfa_use_the_restricted_tails_too():
    # weight_for_height.csv F,85.0,-0.3833,11.3934,0.08896,standing
    assert growth.zscore("wfh", "F", 900, 8.0, length_cm=85.0) == pytest.approx(
        restricted_z(8.0, -0.3833, 11.3934, 0.08896), abs=1e-9
    )
    # bmi_for_age.csv F,1200,-0.5684,15.3434,0.08675,standing
    bmi = 22.0 / 0.95**2
    assert lms_z(bmi, -0.5684, 15.3434, 0.08675) > 3
    assert growth.zscore("bfa", "F", 1200, 22.0, length_cm=95.0) == pytest.approx(
        restricted_z(bmi, -0.5684, 15.3434, 0.08675), abs=1e-9
    )


def test_hfa_is_not_restricted():
    # length_height_for_age.csv M,1000,1,93.9706,0.03783,standing
    z = growth.zscore("hfa", "M", 1000, 110.0)
    assert z > 3
    assert z == pytest.approx(lms_z(110.0, 1, 93.9706, 0.03783), abs=1e-9)


def test_wfh_interpolates_between_tenth_of_a_cm_rows():
    # weight_for_length.csv M,75.3,-0.3521,9.5639,0.08299 and M,75.4,-0.3521,9.5841,0.083
    low, high = (-0.3521, 9.5639, 0.08299), (-0.3521, 9.5841, 0.083)
    for length, fraction in ((75.35, 0.5), (75.32, 0.2)):
        L, M, S = (a + fraction * (b - a) for a, b in zip(low, high, strict=True))
        z = growth.zscore("wfh", "M", 400, 9.0, length_cm=length)
        assert z == pytest.approx(lms_z(9.0, L, M, S), abs=1e-9)
    # An interpolated row sits strictly between its neighbours.
    at_low = growth.zscore("wfh", "M", 400, 9.0, length_cm=75.3)
    at_high = growth.zscore("wfh", "M", 400, 9.0, length_cm=75.4)
    assert at_high < growth.zscore("wfh", "M", 400, 9.0, length_cm=75.35) < at_low


def test_l_zero_uses_the_log_formula(monkeypatch):
    # No WHO row has L == 0, so feed one in to exercise that branch.
    monkeypatch.setattr(growth, "_age_table", lambda filename: {("M", 10): (0.0, 10.0, 0.1)})
    monkeypatch.setattr(growth, "max_age_days", lambda: 10)
    assert growth.zscore("hfa", "M", 10, 10 * math.exp(0.15)) == pytest.approx(1.5)
    assert growth.sd_value((0.0, 10.0, 0.1), 2) == pytest.approx(10 * math.exp(0.2))


# --- lying/standing correction ---------------------------------------------


@pytest.mark.parametrize("indicator", ["hfa", "wfh", "bfa"])
def test_under_two_standing_is_lying_minus_0_7(indicator):
    def z(length, measured):
        if indicator == "hfa":
            return growth.zscore("hfa", "M", 400, length, measured=measured)
        return growth.zscore(indicator, "M", 400, 9.5, length_cm=length, measured=measured)

    assert z(75.0, "standing") == pytest.approx(z(75.7, "lying"), abs=1e-12)
    assert z(75.7, None) == z(75.7, "lying")


@pytest.mark.parametrize("indicator", ["hfa", "wfh", "bfa"])
def test_two_and_over_lying_is_standing_plus_0_7(indicator):
    def z(length, measured):
        if indicator == "hfa":
            return growth.zscore("hfa", "F", 800, length, measured=measured)
        return growth.zscore(indicator, "F", 800, 11.0, length_cm=length, measured=measured)

    assert z(85.0, "lying") == pytest.approx(z(84.3, "standing"), abs=1e-12)
    assert z(84.3, None) == z(84.3, "standing")


def test_position_does_not_matter_for_weight_for_age():
    assert growth.zscore("wfa", "M", 400, 9.5, measured="standing") == growth.zscore("wfa", "M", 400, 9.5)


# --- outside the tables ----------------------------------------------------


def test_none_outside_the_tables():
    # The age tables end at day 1826 (just under 60 months).
    assert growth.max_age_days() == 1826
    assert growth.zscore("wfa", "F", 1826, 15.0) is not None
    assert growth.zscore("wfa", "F", 1827, 15.0) is None
    assert growth.zscore("hfa", "M", 1857, 110.0) is None
    assert growth.zscore("bfa", "M", 1827, 18.0, length_cm=110.0) is None
    assert growth.zscore("wfa", "F", -1, 3.0) is None
    # weight_for_length covers 45.0-110.0 cm, weight_for_height 65.0-120.0 cm.
    assert growth.zscore("wfh", "M", 100, 3.0, length_cm=30) is None
    assert growth.zscore("wfh", "M", 100, 2.5, length_cm=45.0) is not None
    assert growth.zscore("wfh", "M", 100, 2.5, length_cm=44.9) is None
    assert growth.zscore("wfh", "M", 700, 18.0, length_cm=110.0) is not None
    assert growth.zscore("wfh", "M", 700, 18.0, length_cm=110.05) is None
    assert growth.zscore("wfh", "F", 800, 7.0, length_cm=64.9) is None
    assert growth.zscore("wfh", "F", 800, 7.0, length_cm=65.0) is not None
    assert growth.zscore("wfh", "F", 1500, 22.0, length_cm=120.0) is not None
    assert growth.zscore("wfh", "F", 1500, 22.0, length_cm=120.1) is None


def test_none_for_missing_or_non_positive_measurements():
    assert growth.zscore("wfa", "F", 100, 0) is None
    assert growth.zscore("wfa", "F", 100, None) is None
    assert growth.zscore("wfh", "F", 100, 6.0) is None
    assert growth.zscore("bfa", "F", 100, 6.0, length_cm=None) is None


def test_bad_arguments_raise():
    with pytest.raises(ValueError):
        growth.zscore("hca", "M", 100, 40.0)
    with pytest.raises(ValueError):
        growth.zscore("wfa", "L", 100, 6.0)
    with pytest.raises(ValueError):
        growth.zscore("hfa", "M", 100, 60.0, measured="sitting")


# --- Permenkes 2/2020 categories ------------------------------------------


@pytest.mark.parametrize(
    ("z", "code"),
    [
        (-3.0001, "sangat_pendek"),
        (-3.0, "pendek"),
        (-2.0001, "pendek"),
        (-2.0, "normal"),
        (1.0, "normal"),
        (2.0, "normal"),
        (3.0, "normal"),
        (3.0001, "tinggi"),
    ],
)
def test_categorise_hfa(z, code):
    assert growth.categorise("hfa", z) == code


@pytest.mark.parametrize(
    ("z", "code"),
    [
        (-3.0001, "sangat_kurang"),
        (-3.0, "kurang"),
        (-2.0001, "kurang"),
        (-2.0, "normal"),
        (1.0, "normal"),
        (1.0001, "risiko_lebih"),
        (2.0, "risiko_lebih"),
        (3.0, "risiko_lebih"),
        (3.0001, "risiko_lebih"),
    ],
)
def test_categorise_wfa(z, code):
    assert growth.categorise("wfa", z) == code


@pytest.mark.parametrize("indicator", ["wfh", "bfa"])
@pytest.mark.parametrize(
    ("z", "code"),
    [
        (-3.0001, "gizi_buruk"),
        (-3.0, "gizi_kurang"),
        (-2.0001, "gizi_kurang"),
        (-2.0, "gizi_baik"),
        (1.0, "gizi_baik"),
        (1.0001, "berisiko_gizi_lebih"),
        (2.0, "berisiko_gizi_lebih"),
        (2.0001, "gizi_lebih"),
        (3.0, "gizi_lebih"),
        (3.0001, "obesitas"),
    ],
)
def test_categorise_wfh_and_bfa(indicator, z, code):
    assert growth.categorise(indicator, z) == code


def test_every_category_has_an_indonesian_label():
    for indicator in growth.INDICATORS:
        for z in (-4, -2.5, 0, 1.5, 2.5, 4):
            assert growth.categorise(indicator, z) in growth.LABELS[indicator]
    if not settings.configured:
        pytest.skip("rendering the lazy labels needs Django settings")
    with translation.override("id"):
        assert str(growth.LABELS["hfa"]["pendek"]) == "Pendek"
        assert str(growth.LABELS["wfa"]["risiko_lebih"]) == "Risiko berat badan lebih"
        assert str(growth.LABELS["wfh"]["gizi_baik"]) == "Gizi baik (normal)"


def test_stunted_underweight_wasted():
    assert growth.is_stunted(-2.0001) and not growth.is_stunted(-2.0)
    assert growth.is_underweight(-2.0001) and not growth.is_underweight(-2.0)
    assert growth.is_wasted(-2.0001) and not growth.is_wasted(-2.0)


@pytest.mark.parametrize(
    ("indicator", "low", "high"),
    [("hfa", -6, 6), ("wfa", -6, 5), ("wfh", -5, 5), ("bfa", -5, 5)],
)
def test_implausible_edges(indicator, low, high):
    assert not growth.implausible(indicator, low)
    assert not growth.implausible(indicator, high)
    assert not growth.implausible(indicator, 0)
    assert growth.implausible(indicator, low - 0.0001)
    assert growth.implausible(indicator, high + 0.0001)


# --- curves and chart ------------------------------------------------------


def test_curves_follow_the_lms_rows():
    lines = growth.curves("hfa", "M")
    assert sorted(lines) == [-3, -2, 0, 2, 3]
    median = dict(lines[0])
    # length_height_for_age.csv M,0,1,49.8842,... and M,730 (lying) / M,731 (standing)
    assert median[0] == pytest.approx(49.8842)
    assert median[730] == pytest.approx(87.8018)
    assert median[731] == pytest.approx(87.1303)
    assert max(median) == 1826
    # weight_for_age.csv F,365,-0.2022,8.9462,0.12267
    minus_two = dict(growth.curves("wfa", "F", sds=(-2,), step_days=365)[-2])
    assert minus_two[365] == pytest.approx(sd_value(-0.2022, 8.9462, 0.12267, -2))
    assert growth.zscore("wfa", "F", 365, minus_two[365]) == pytest.approx(-2)


def test_growth_chart_svg():
    points = [(30, 4.1), (120, 6.0), (400, 9.1), (900, None), (2000, 16.0), (700, 10.2)]
    svg = growth_chart_svg("wfa", "F", points, title="Siti <script> & Budi")
    assert svg.startswith("<svg")
    assert 'viewBox="0 0 640 400"' in svg
    assert svg.count("<path") == 5
    assert svg.count('stroke="#d62728"') == 2  # -3 and +3 red
    assert svg.count('stroke="#ff7f0e"') == 2  # -2 and +2 orange
    assert svg.count('stroke="#2ca02c"') == 1  # median green
    # None values and ages past the tables are not plotted.
    assert svg.count("<circle") == 4
    assert "<script>" not in svg
    assert "Siti &lt;script&gt; &amp; Budi" in svg
    # No external resources: nothing that WeasyPrint would have to fetch.
    assert not re.search(r"href|<style|<link|@import|url\(", svg)


def test_growth_chart_svg_without_points():
    svg = growth_chart_svg("hfa", "M", [], width=320, height=200)
    assert 'viewBox="0 0 320 200"' in svg
    assert svg.count("<path") == 5
    assert "<circle" not in svg
