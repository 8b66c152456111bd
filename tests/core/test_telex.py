"""Telex/VNI composition: real Vietnamese names, places and words, undo rules, and properties."""

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk import telex
from kiosk.telex import BACKSPACE, Composer, apply_letter, apply_tone, backspace, compose, type_keys

# (telex keys, vni keys, text) — typed whole, word by word, the way people type them
REAL = [
    ("Nguyeenx Thij Minh Khai", "Nguye6n4 Thi5 Minh Khai", "Nguyễn Thị Minh Khai"),
    ("Phuwowngf Beesn Nghes", "Phu7o7ng2 Be6n1 Nghe1", "Phường Bến Nghé"),
    ("Thuwaf Thieen Huees", "Thu7a2 Thie6n Hue61", "Thừa Thiên Huế"),
    ("Quangr Ngaix", "Quang3 Ngai4", "Quảng Ngãi"),
    ("khuyeesn", "khuye6n1", "khuyến"),
    ("giuwx", "giu74", "giữ"),
    ("quoocs", "quo6c1", "quốc"),
    ("thuowr", "thuo73", "thuở"),
    ("dduwowngf", "d9u7o7ng2", "đường"),
    ("nguyeenx", "nguye6n4", "nguyễn"),
    ("tieesng vieejt", "tie6ng1 vie6t5", "tiếng việt"),
    ("Hoof Chis Minh", "Ho62 Chi1 Minh", "Hồ Chí Minh"),
    ("Haf Nooji", "Ha2 No6i5", "Hà Nội"),
    ("DDaf Nawngx", "D9a2 Na8ng4", "Đà Nẵng"),
    ("Caanf Thow", "Ca6n2 Tho7", "Cần Thơ"),
    ("Khasnh Hoaf", "Kha1nh Hoa2", "Khánh Hòa"),
    ("Bifnh Duwowng", "Bi2nh Du7o7ng", "Bình Dương"),
    ("Baf Rija - Vuxng Tauf", "Ba2 Ri5a - Vu4ng Tau2", "Bà Rịa - Vũng Tàu"),
    ("Traafn Vaawn Thuwowngr", "Tra62n Va8n Thu7o7ng3", "Trần Văn Thưởng"),
    ("Lee Thij Nguyeetj", "Le6 Thi5 Nguye6t5", "Lê Thị Nguyệt"),
    ("Phamj Quoocs Huy", "Pha5m Quo6c1 Huy", "Phạm Quốc Huy"),
    ("Vox Thij Sasu", "Vo4 Thi5 Sa1u", "Võ Thị Sáu"),
    ("Huyfnh Tuaasn Kieetj", "Huy2nh Tua6n1 Kie6t5", "Huỳnh Tuấn Kiệt"),
    ("DDawngj Thuyf Tram", "D9a8ng5 Thuy2 Tram", "Đặng Thùy Tram"),
    ("Quaajn 1", "Qua6n5 1", "Quận 1"),
    ("soos 12 dduwowngf Lys Tuwj Trongj", "so61 12 d9u7o7ng2 Ly1 Tu75 Tro5ng", "số 12 đường Lý Tự Trọng"),
    ("nguwowif", "ngu7o7i2", "người"),
    ("ruwowuj", "ru7o7u5", "rượu"),
    ("khuyru", "khuy3u", "khuỷu"),
    ("hoawjc", "hoa85c", "hoặc"),
    ("cuwus", "cu7u1", "cứu"),
    ("giaasy towf", "gia6y1 to72", "giấy tờ"),
    ("ddawng kys", "d9a8ng ky1", "đăng ký"),
    ("chuwngs thuwcj", "chu7ng1 thu7c5", "chứng thực"),
    ("hoof sow", "ho62 so7", "hồ sơ"),
    ("cawn cuwowcs", "ca8n cu7o7c1", "căn cước"),
    ("Thanhf phoos Hoof Chis Minh", "Thanh2 pho61 Ho62 Chi1 Minh", "Thành phố Hồ Chí Minh"),
    ("xasz", "xa10", "xa"),
    ("giuwxa", "giu74a", "giữa"),
    ("ginf giuwx", "gin2 giu74", "gìn giữ"),
    ("yeeu", "ye6u", "yêu"),
    ("khoer", "khoe3", "khỏe"),
    ("thuyr", "thuy3", "thủy"),
    ("quys", "quy1", "quý"),
    ("ngoafi", "ngoa2i", "ngoài"),
    ("chuyeenr", "chuye6n3", "chuyển"),
    ("nghieeng", "nghie6ng", "nghiêng"),
    ("luaatj", "lua6t5", "luật"),
]


@pytest.mark.parametrize("keys,vni,text", REAL)
def test_real_words_in_telex_and_vni(keys, vni, text):
    assert type_keys(keys) == text
    assert type_keys(vni, method="vni") == text
    assert unicodedata.is_normalized("NFC", type_keys(keys))


@pytest.mark.parametrize("keys,text", [
    ("aaa", "aa"), ("ooo", "oo"), ("eee", "ee"), ("ddd", "dd"), ("ass", "as"), ("baff", "baf"),
    ("w", "ư"), ("W", "Ư"), ("ww", "w"), ("nhw", "như"), ("trwf", "trừ"), ("muaw", "mưa"),
    ("huow", "huơ"), ("huwow", "hươ"), ("huowww", "huow"), ("aw", "ă"), ("aww", "aw"),
    ("basz", "ba"), ("baz", "baz"), ("xooong", "xoong"),
    ("NGUYEENX", "NGUYỄN"), ("NguyeeNX", "NguyễN"), ("DDUWOWNGF", "ĐƯỜNG"),
    ("TP HCM", "TP HCM"), ("class", "class"), ("email", "email"),
    ("tiesng", "tiéng"), ("nguyeexn", "nguyễn"), ("hoafn", "hoàn"), ("tuaans", "tuấn"),
    ("basng", "báng"), ("batf", "batf"), ("bastf", "bátf"),
])
def test_telex_rules(keys, text):
    assert type_keys(keys) == text


def test_classic_and_new_tone_styles():
    assert type_keys("hoaf") == "hòa" and type_keys("hoaf", style="new") == "hoà"
    assert type_keys("khoer") == "khỏe" and type_keys("khoer", style="new") == "khoẻ"
    assert type_keys("thuyr") == "thủy" and type_keys("thuyr", style="new") == "thuỷ"
    # with a final consonant both styles agree
    assert type_keys("hoafn") == type_keys("hoafn", style="new") == "hoàn"
    assert type_keys("muaf") == type_keys("muaf", style="new") == "mùa"


def test_vni_rules():
    vni = lambda k: type_keys(k, method="vni")  # noqa: E731
    assert vni("a66") == "a6" and vni("a11") == "a1" and vni("d99") == "d9"
    assert vni("ba10") == "ba" and vni("ba0") == "ba0"
    assert vni("Phong2 12") == "Phòng 12"
    assert vni("u7") == "ư" and vni("a8") == "ă" and vni("o7") == "ơ" and vni("o6") == "ô"
    assert vni("TP 2") == "TP 2"


def test_only_the_last_word_changes():
    before = "Nguyễn Văn A, số nhà 7/12 "
    assert compose(before + "ba", "s") == before + "bá"
    assert compose("hòa ", "s") == "hòa s"
    assert compose("Nguyễn-Va", "w") == "Nguyễn-Vă"


def test_off_types_plain_letters():
    assert type_keys("nguyeenx", method="off") == "nguyeenx"


def test_backspace_removes_whole_letters_and_moves_the_tone_back():
    assert backspace("nguyễn") == "nguyễ"
    assert backspace("hoàn") == "hòa"
    assert backspace("hoàn", style="new") == "hoà"
    assert backspace("") == ""
    assert compose("đường", BACKSPACE) == "đườn"
    # decomposed input is normalised first: one backspace still takes one letter
    assert backspace(unicodedata.normalize("NFD", "Huế")) == "Hu"


def test_helper_keys_for_non_typists():
    assert apply_tone("Nguyên", "tilde") == "Nguyễn"
    assert apply_tone("Nguyễn", "tilde") == "Nguyên"  # the same tone again takes it off
    assert apply_tone(apply_letter("Hue", "ê"), "acute") == "Huế"
    assert apply_tone("Nguyễn ", "acute") == "Nguyễn "  # no word under the cursor: nothing
    assert apply_tone("TP", "acute") == "TP"
    assert apply_letter("Nguyen", "ê") == "Nguyên"
    assert apply_letter("duong", "đ") == "đuong"
    assert apply_letter("đuong", "ư") == "đương"
    assert apply_letter("Tho", "ơ") == "Thơ"
    assert apply_letter("c", "ă") == "că"
    assert apply_letter("ca", "â") == "câ"
    assert apply_letter("", "Đ") == "Đ"
    assert apply_letter("x", "ư") == "xư"
    with pytest.raises(ValueError):
        apply_letter("a", "q")


def test_composer_and_bad_arguments():
    c = Composer("vni")
    assert c.type("Vie65t") == "Việt"
    c.set_method("telex")
    assert c.feed("Vie", "e") == "Viê" and c.backspace("Viê") == "Vi"
    assert c.tone("Ha", "grave") == "Hà" and c.letter("Ha", "ă") == "Hă"
    with pytest.raises(ValueError):
        Composer("wubi")
    with pytest.raises(ValueError):
        compose("a", "s", style="weird")


# -- properties -------------------------------------------------------------------------------

KEYS = list("abcdefghijklmnopqrstuvwxyzADEOWSFRXJZ0123456789 .,-/") + [BACKSPACE]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(KEYS), max_size=30), st.sampled_from(["telex", "vni"]),
       st.sampled_from(["classic", "new"]))
def test_output_is_always_nfc_and_keeps_what_is_before_the_last_word(keys, method, style):
    text = ""
    for key in keys:
        before, _word = telex.split_last_word(text)
        new = compose(text, key, method, style)
        assert unicodedata.is_normalized("NFC", new)
        if key != BACKSPACE:
            assert new.startswith(before)
        text = new


_TELEX_OF = {"â": "aa", "ê": "ee", "ô": "oo", "ă": "aw", "ơ": "ow", "ư": "uw", "đ": "dd"}
_TONE_KEY = {"\u0301": "s", "\u0300": "f", "\u0309": "r", "\u0303": "x", "\u0323": "j"}
_VNI_OF = {"â": "a6", "ê": "e6", "ô": "o6", "ă": "a8", "ơ": "o7", "ư": "u7", "đ": "d9"}
_VNI_TONE = {"\u0301": "1", "\u0300": "2", "\u0309": "3", "\u0303": "4", "\u0323": "5"}


def spell(word: str, vni: bool = False) -> str:
    """The keys someone types for ``word``: letters with their marks, the tone last."""
    keys, tone = [], ""
    for ch in word:
        parts = unicodedata.normalize("NFD", ch)
        marks = [c for c in parts if c in _TONE_KEY]
        if marks:
            tone = (_VNI_TONE if vni else _TONE_KEY)[marks[0]]
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in _TONE_KEY))
        table = _VNI_OF if vni else _TELEX_OF
        low = table.get(base.lower(), base.lower())
        keys.append(low.upper() if base.isupper() else low)
    return "".join(keys) + tone


# Syllables built from parts, with where the tone goes written out by hand (classic style):
# nucleus -> (index of the toned vowel without a final consonant, with one, or None if it takes none)
NUCLEUS_TONE = {
    "a": (0, 0), "ă": (None, 0), "â": (None, 0), "e": (0, 0), "ê": (0, 0), "i": (0, 0), "o": (0, 0),
    "ô": (0, 0), "ơ": (0, 0), "u": (0, 0), "ư": (0, 0), "ai": (0, None), "ao": (0, None),
    "au": (0, None), "âu": (0, None), "ây": (0, None), "eo": (0, None), "ia": (0, None),
    "iu": (0, None), "oi": (0, None), "ôi": (0, None), "ơi": (0, None), "ua": (0, None),
    "ui": (0, None), "ưa": (0, None), "ưu": (0, None), "oa": (0, 1), "oe": (0, 1), "uy": (0, 1),
    "iê": (None, 1), "uô": (None, 1), "ươ": (None, 1), "oă": (None, 1), "uâ": (None, 1),
    "iêu": (1, None), "oai": (1, None), "uôi": (1, None), "ươi": (1, None), "ươu": (1, None),
    "oay": (1, None), "uyê": (None, 2), "uya": (1, None),
}
ONSETS = ["", "b", "ch", "đ", "h", "kh", "l", "m", "ng", "nh", "ph", "t", "th", "tr", "x"]
CODAS = ["", "n", "ng", "nh", "m", "c", "t"]


@st.composite
def syllables(draw):
    nucleus = draw(st.sampled_from(sorted(NUCLEUS_TONE)))
    onset = draw(st.sampled_from(ONSETS))
    open_at, closed_at = NUCLEUS_TONE[nucleus]
    codas = ([""] if open_at is not None else []) + ([c for c in CODAS if c] if closed_at is not None else [])
    coda = draw(st.sampled_from(codas))
    tones = [1, 5] if coda in ("c", "t") else [0, 1, 2, 3, 4, 5]
    tone = draw(st.sampled_from(tones))
    at = closed_at if coda else open_at
    letters = list(nucleus)
    if tone:
        letters[at] = unicodedata.normalize("NFC", letters[at] + telex.TONE_MARKS[tone])
    word = onset + "".join(letters) + coda
    if draw(st.booleans()):
        word = word[0].upper() + word[1:]
    return unicodedata.normalize("NFC", word)


@settings(max_examples=300, deadline=None)
@given(st.lists(syllables(), min_size=1, max_size=5))
def test_typing_the_telex_or_vni_spelling_gives_the_words(words):
    sentence = " ".join(words)
    assert type_keys(" ".join(spell(w) for w in words)) == sentence
    assert type_keys(" ".join(spell(w, vni=True) for w in words), method="vni") == sentence
    assert type_keys(" ".join(spell(w).upper() for w in words)) == sentence.upper()


@settings(max_examples=200, deadline=None)
@given(st.sampled_from([t for _k, _v, t in REAL if " " not in t and not any(c.isdigit() for c in t)]),
       st.data())
def test_the_tone_key_may_come_anywhere_after_the_first_vowel(word, data):
    keys = spell(word)
    if keys[-1] not in "sfrxj":
        return
    body, tone = keys[:-1], keys[-1]
    low = body.lower()
    # the u of "qu" and the i of "gi" before a vowel belong to the onset
    skip = 2 if low.startswith("qu") or (low.startswith("gi") and low[2:3] and low[2] in "aeiouy") else 0
    first_vowel = next(i for i, c in enumerate(low) if c in "aeiouy" and i >= skip)
    at = data.draw(st.integers(first_vowel + 1, len(body)))
    assert type_keys(body[:at] + tone + body[at:]) == word
