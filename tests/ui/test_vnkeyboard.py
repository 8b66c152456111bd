"""The Vietnamese keyboard and the speech bar mounted in the real app, tapped through the
driver like a finger would."""

import unicodedata

import pytest

from kiosk.speech import Speaker


@pytest.fixture
def keyboard(app):
    from kiosk.widgets.vnkeyboard import VietnameseKeyboard

    app.app.start_session()
    app.frames(3)
    screen = app.screen
    typed = []
    kb = VietnameseKeyboard(on_change=typed.append, size_hint_x=1, pos=(0, 0))
    screen.add_widget(kb)
    app.frames(3)
    kb.typed = typed
    yield kb
    screen.remove_widget(kb)
    app.frames(2)


def tap_keys(app, kb, keys):
    for key in keys:
        app.tap(kb.keys[key])


def test_telex_through_real_taps(app, keyboard):
    kb = keyboard
    tap_keys(app, kb, ["shift", *"nguyeenx"])
    assert kb.typed[-1] == "Nguyễn"
    for key in ["space", *"vawn", "space", "shift", *"thuwowngr"]:
        kb.press(key)  # the same code path as a tap, without a frame per key
    assert kb.typed[-1] == "Nguyễn văn Thưởng"
    assert kb.text == kb.typed[-1]
    assert unicodedata.is_normalized("NFC", kb.text)
    # backspace takes a whole letter
    tap_keys(app, kb, ["backspace", "backspace"])
    assert kb.typed[-1] == "Nguyễn văn Thưở"


def test_helper_keys_for_people_who_do_not_know_telex(app, keyboard):
    kb = keyboard
    kb.set_method("off")
    tap_keys(app, kb, ["shift", *"nguyen"])
    assert kb.text == "Nguyen"
    tap_keys(app, kb, ["mark:ê", "tone:tilde"])
    assert kb.text == "Nguyễn"
    tap_keys(app, kb, ["space", *"duong", "mark:đ", "mark:ư", "tone:grave"])
    assert kb.text == "Nguyễn đường"


def test_vni_through_the_method_switch_and_the_digit_layer(app, keyboard):
    kb = keyboard
    assert kb.method == "telex"
    assert kb.keys["method"].text == "Telex"
    app.tap(kb.keys["method"])
    assert kb.method == "vni" and kb.keys["method"].text == "VNI"
    tap_keys(app, kb, ["shift", *"hue"])
    app.tap(kb.keys["layer"])
    tap_keys(app, kb, ["6", "1"])
    assert kb.text == "Huế"
    app.tap(kb.keys["method"])  # off: digits are digits
    assert kb.keys["method"].text == "Tắt dấu"
    tap_keys(app, kb, ["space", "1", "2"])
    assert kb.text == "Huế 12"
    app.tap(kb.keys["layer"])
    assert "q" in kb.keys


def test_keys_are_big_enough_and_nothing_is_clipped(app, keyboard):
    from kiosk.widgets import theme as th

    t = th.get_theme()
    for key, button in keyboard.keys.items():
        assert button.width >= t.px(100) - 0.5, (key, button.width)
        assert button.height >= t.px(100) - 0.5, (key, button.height)
    problems = [p for p in app.layout_problems() if any(b.text and repr(b.text[:30]) in p
                                                         for b in keyboard.keys.values())]
    assert not problems, problems
    # large-text mode: still no clipped key label
    t.text_scale = 1.5
    app.frames(3)
    try:
        from kivy.core.text import Label as CoreLabel

        for button in keyboard.keys.values():
            button.texture_update()
            assert button.texture_size[1] <= button.height + 2, button.text
            for word in button.text.split():  # a word too wide for its key would be cut
                core = CoreLabel(text=word, font_size=button.font_size, bold=True, font_name=button.font_name)
                core.refresh()
                assert core.texture.size[0] <= button.text_size[0] + 2, (word, core.texture.size, button.text_size)
    finally:
        t.text_scale = 1.0
        app.frames(2)


def test_shift_caps_lock_and_capitalize_words(app, keyboard):
    kb = keyboard
    press = lambda keys: [kb.press(k) for k in keys]  # noqa: E731  (taps are tested above)
    press(["shift", "shift", *"hcm"])
    assert kb.text == "HCM" and kb.keys["a"].text == "A"
    press(["shift", "space", *"tp"])
    assert kb.text == "HCM tp" and kb.keys["a"].text == "a"
    kb.capitalize_words = True
    kb.set_text("")
    assert kb.keys["a"].text == "A"
    press([*"quangr", "space", *"ngaix"])
    assert kb.text == "Quảng Ngãi"
    kb.max_length = 12
    press(["space", *"abcklm"])
    assert kb.text == "Quảng Ngãi A"
    assert kb.typed[-1] == kb.text


def test_speech_bar_speaks_the_screen_repeats_and_changes_volume(app, tmp_path):
    from kiosk.widgets.speechbar import SpeechBar

    speaker = Speaker(enabled=False, wav_dir=tmp_path)  # writes WAVs: no sound device needed
    if not speaker.available:
        pytest.skip("espeak-ng not installed")
    app.app.start_session()
    app.frames(2)
    bar = SpeechBar(speaker, get_prompt=lambda: "Mời bạn chọn dịch vụ", size_hint_x=1, pos=(0, 0))
    app.screen.add_widget(bar)
    app.frames(3)
    try:
        assert bar.listen.text == "Nghe"
        app.tap(bar.listen)
        assert speaker.wait(20) and speaker.spoken == 1
        first = speaker.last_wav
        assert first.exists() and first.stat().st_size > 10_000
        app.tap(bar.louder)
        assert speaker.volume == 120 and speaker.wait(20)
        app.tap(bar.again)  # repeats the screen's prompt, not the volume announcement
        assert speaker.wait(20) and speaker.spoken == 3
        from kiosk.speech import wav_seconds

        assert abs(wav_seconds(speaker.last_wav) - wav_seconds(first)) < 0.05
        app.tap(bar.quieter)
        app.tap(bar.quieter)
        assert speaker.volume == 80
        for b in bar.buttons:
            assert b.height >= app.app.theme.px(100) - 0.5
    finally:
        bar.close()
        app.screen.remove_widget(bar)
        app.frames(2)


def test_speech_bar_is_disabled_without_espeak(app):
    from kiosk.widgets.speechbar import SpeechBar

    bar = SpeechBar(Speaker(binary="no-espeak-here"), get_prompt=lambda: "x")
    assert all(b.disabled for b in bar.buttons)
    bar.close()


def test_visible_text_reads_the_screen_top_down(app):
    from kiosk.widgets.speechbar import visible_text

    app.app.start_session()
    app.frames(3)
    text = visible_text(app.screen)
    assert "Bạn cần làm gì?" in text
    lines = text.splitlines()
    assert lines.index("Bạn cần làm gì?") < lines.index("Tra cứu hồ sơ")
    assert visible_text(app.app.root_layout).count("Bạn cần làm gì?") == 1


def test_install_puts_speech_on_every_screen_and_resets_with_the_session(app):
    """The app's own speech controls: "Listen" on the attract screen and in the navigation bar,
    repeat and volume once speech is on, everything back to quiet with the next session."""
    drv = app
    speaker = drv.app.speaker
    controls = drv.app.speech
    if not speaker.available:
        pytest.skip("espeak-ng not installed")
    assert drv.app.current == "attract" and drv.visible(controls.attract_listen)
    spoken = speaker.spoken
    drv.tap(controls.attract_listen)  # "Nghe" on the attract screen: speech on from here
    assert speaker.enabled and speaker.wait(20) and speaker.spoken == spoken + 1
    drv.app.start_session()
    drv.wait_until(lambda: speaker.spoken == spoken + 2, what="the menu spoken as it appears")
    assert speaker.wait(20)
    assert "Bạn cần làm gì?" in speaker._last[0]
    assert drv.visible(controls.bar.listen)  # in the navigation bar
    drv.wait_until(lambda: controls.bar.parent is not None, 3, "repeat and volume")
    before = speaker.volume
    drv.tap(controls.bar.louder)
    assert speaker.volume == min(200, before + 20)
    drv.app.core.reset("test")
    drv.frames(3)
    assert not speaker.enabled and not speaker.has_prompt() and speaker.volume == before
    drv.wait_until(lambda: controls.bar.parent is None, 3, "the speech bar to go")


def test_capitals_the_citizen_types_stay_in_a_name(app, keyboard):
    """Issue 14: "HN" became "Hn".  At a name's word start the Shift key already shows "on" (the
    letter will be a capital): a tap on it means more capitals, so both letters stay capitals,
    and the next word starts as a name's would once caps lock is off."""
    kb = keyboard
    kb.capitalize_words = True
    kb.set_text("")
    assert kb.keys["shift"].text == "A"  # the next letter is a capital
    for key in ["shift", "h", "n"]:
        app.tap(kb.keys[key])
    assert kb.text == "HN" and kb.caps_lock
    for key in ["shift", "space", "a", "n"]:
        kb.press(key)
    assert kb.text == "HN An"


def test_word_suggestions_put_a_whole_name_in(app, keyboard):
    """Names already on the card are offered while typing a relative's name: one tap puts the
    family name in, a letter narrows the offer, accents or not."""
    kb = keyboard
    kb.capitalize_words = True
    kb.set_text("")
    kb.set_suggestions(["Nguyễn", "Trần", "Lê", "Minh", "Mai"])
    assert kb.suggestions() == ["Nguyễn", "Trần", "Lê"]
    shown = [b.text for k, b in kb.keys.items() if k.startswith("word:")]
    assert shown == ["Nguyễn", "Trần", "Lê"]
    app.tap(kb.keys["word:0"])
    assert kb.text == "Nguyễn " and kb.typed[-1] == "Nguyễn "
    kb.press("m")
    assert kb.suggestions() == ["Minh", "Mai"]  # the ones starting like the word being typed
    app.tap(kb.keys["word:0"])
    assert kb.text == "Nguyễn Minh "
    kb.press("n")
    assert kb.suggestions() == []  # "Nguyễn" is typed already: not offered again
