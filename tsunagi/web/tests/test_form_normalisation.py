"""Form input: one-line fields are width-normalised, prose is kept as written (rule R1)."""

from __future__ import annotations

from django import forms

from tsunagi.web.forms import TsunagiForm


class _Form(TsunagiForm):
    name = forms.CharField()
    wishes = forms.CharField(widget=forms.Textarea)


def test_a_one_line_field_is_width_normalised() -> None:
    form = _Form({"name": "　ﾔﾏﾀﾞ　太郎１ ", "wishes": "x"})
    assert form.is_valid()
    assert form.cleaned_data["name"] == "ヤマダ 太郎1"


def test_r1_the_persons_words_keep_their_lines_and_punctuation() -> None:
    words = "  働きたい。でも（今は）怖い！\r\n週に１回なら外に出られるかも。  "
    form = _Form({"name": "山田", "wishes": words})
    assert form.is_valid()
    assert (
        form.cleaned_data["wishes"]
        == "働きたい。でも（今は）怖い！\n週に１回なら外に出られるかも。"
    )
