"""Offline language identification of passages."""

from __future__ import annotations

from nlp_iom.extract.language import detect_language, document_language


def test_indonesian_and_english() -> None:
    assert detect_language("Perdagangan manusia menjadi isu sentral di era globalisasi karena mewabah di berbagai negara.") == "id"
    assert detect_language("Human trafficking becomes a central issue in the globalization era.") == "en"


def test_english_terms_inside_indonesian_stay_indonesian() -> None:
    text = "IOM melakukan sosialisasi tentang human trafficking di Sambas bersama pemerintah daerah dan kepolisian."
    assert detect_language(text) == "id"


def test_mixed_passage() -> None:
    text = (
        "Penelitian ini menggunakan teori organisasi internasional untuk menjelaskan peran IOM di perbatasan. "
        "This study uses international organization theory to explain the role of IOM at the border."
    )
    assert detect_language(text) == "mixed"


def test_third_language_and_too_short() -> None:
    assert detect_language("Der Menschenhandel ist ein zentrales Problem der Globalisierung in vielen Ländern.") == "de"
    assert detect_language("IOM 2019") == "und"


def test_document_language() -> None:
    assert document_language(["en", "en", "id"], [500, 400, 100]) == "en"
    assert document_language(["und"], [10]) == "und"


def test_urls_emails_and_code_are_undetermined() -> None:
    # lines of the shared PDFs that py3langid alone calls Indonesian
    assert detect_language("waleeda@allenai.org") == "und"
    assert detect_language("168 www.un.org/apps/news/story.asp?NewsID=51034#.VaaK1vlVikp.") == "und"
    assert detect_language("1081 HV Amsterdam, The Netherlands E-mail: kate@nat.vu.nl URL: http://www.nat.vu.nl/~kate/") == "und"
    assert detect_language("R> sigma <- .001 R> Psi_q <- C %*% t(E) + sigma * rnorm(dim(C)[1] * dim(E)[1])") == "und"
    # the address is removed, the text around it still counts
    assert detect_language("Human trafficking is a central issue (contact: iom.jakarta@iom.int) for the region.") == "en"


def test_function_words_decide_short_text() -> None:
    from nlp_iom.extract.language import function_word_counts

    line = "4. My family: Achmad Friscantono, Dian Warasati, and Neysha Adzhani. 5. My friends: Citra Dara Malia."
    assert function_word_counts(line) == {"id": 0, "en": 3}
    assert detect_language(line) == "en"  # py3langid alone: Indonesian (the names)
    assert detect_language("Dibuat di : Depok Pada tanggal : 5 Juni 2017 Yang menyatakan") == "id"
    # "para." is an English abbreviation here, not the Indonesian plural word
    assert detect_language("20 Swiss Civil Code, art. 60. 21 A/HRC/20/27, para. 57; see also Human Rights Council "
                           "resolution 22/6, para. 8.") == "en"
