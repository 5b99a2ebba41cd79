"""Tests for dedup.clean.html by kind of page: leads outside the body container, inline markup, and the
blocks that benchmarks' truths leave out (teaser headings, photo credits, microdata values)."""

from __future__ import annotations

from html_paragraphs import DE_P, EN_P

from dedup.clean.html import extract_html


def _page(body: str, lang: str = "en") -> str:
    return f'<html lang="{lang}"><head><title>Tram network</title></head><body>{body}</body></html>'


def test_lead_paragraph_in_the_article_header_is_kept() -> None:
    lead = "Twelve more kilometres of tram lines: the council has approved the largest expansion in decades."
    html = _page(
        '<nav><a href="/">Home</a> <a href="/city">City</a></nav><article><div class="article-head"><h1>Tram network to grow</h1>'
        f'<p class="article__lead">{lead}</p></div><div class="article-body">'
        + "".join(f"<p>{p}</p>" for p in EN_P)
        + '</div></article><footer><a href="/imprint">Imprint</a></footer>'
    )
    text = extract_html(html).text
    assert text.splitlines() == [lead, *EN_P]


def test_a_block_before_the_body_without_a_lead_name_stays_out() -> None:
    html = _page(
        '<article><div class="meta-info">Published by the city desk on Tuesday, updated twice since then.</div>'
        '<div class="article-body">' + "".join(f"<p>{p}</p>" for p in EN_P) + "</div></article>"
    )
    assert extract_html(html).text.splitlines() == EN_P


def test_inline_markup_without_spaces_is_not_split() -> None:
    # "<b>Zwölf</b>:" must read "Zwölf:" and "Straßen<i>bahn</i>" one word, while a space between two inline
    # elements stays a space.
    html = _page(
        "<article><p><b>Zwölf</b>: " + DE_P[0] + "</p><p>Die Straßen<i>bahn</i> <a href='/x'>fährt</a> bald "
        "weiter. " + DE_P[1] + "</p><p>" + DE_P[2] + "</p></article>",
        "de",
    )
    lines = extract_html(html).text.splitlines()
    assert lines[0] == "Zwölf: " + DE_P[0]
    assert lines[1].startswith("Die Straßenbahn fährt bald weiter. ")


def test_teaser_headings_and_photo_credits_in_other_languages_are_dropped() -> None:
    html = _page(
        '<article><div class="content"><figure><img src="/a.jpg"><p>Foto: dpa / Max Mustermann</p></figure>'
        + "".join(f"<p>{p}</p>" for p in DE_P)
        + "<h3>Mehr zum Thema</h3><p>Das könnte Sie auch interessieren</p><p>Bild: Stadtwerke</p>"
        "</div></article>",
        "de",
    )
    ex = extract_html(html)
    assert ex.text.splitlines() == DE_P
    assert [r.text for r in ex.removed if r.rule == "html:boilerplate-text"] == [
        "Foto: dpa / Max Mustermann",
        "Mehr zum Thema",
        "Das könnte Sie auch interessieren",
        "Bild: Stadtwerke",
    ]


def test_a_paragraph_that_starts_like_a_label_but_is_long_stays() -> None:
    para = "Mehr zum Thema Verkehr erfuhren die Bürger erst am Abend, als der Bürgermeister die Pläne vorstellte."
    html = _page("<article>" + "".join(f"<p>{p}</p>" for p in [*DE_P, para]) + "</article>", "de")
    assert extract_html(html).text.splitlines() == [*DE_P, para]


def test_a_header_element_holding_article_paragraphs_is_not_page_chrome() -> None:
    html = _page(
        '<header class="site"><a href="/">Home</a> <a href="/news">News</a></header><main><article>'
        '<header class="text-block__description"><div>'
        + "".join(f"<p>{p}</p>" for p in [*EN_P, DE_P[0]])
        + "</div></header></article></main>"
    )
    assert extract_html(html).text.splitlines() == [*EN_P, DE_P[0]]


def test_a_long_cookie_notice_is_never_the_article() -> None:
    notice = (
        "We use cookies and similar technologies on this website, and we share information about your use of "
        "our site with our social media, advertising and analytics partners, who may combine it with other "
        "information that you have provided to them or that they have collected from your use of their services. "
    )
    html = _page(
        "<article><p>" + EN_P[0] + "</p><p>" + EN_P[1] + "</p></article>"
        '<div class="cookie-consent-wrap">' + "".join(f"<p>{notice}</p>" for _ in range(5)) + "</div>"
    )
    assert extract_html(html).text.splitlines() == EN_P[:2]


def test_post_only_in_noscript_is_found() -> None:
    # Blogger's dynamic template: the post is in a <script type="text/template"> for the script to render,
    # and again in a <noscript>; outside them the body holds only the blog's chrome.
    post = "".join(f"<p>{p}</p>" for p in EN_P)
    html = _page(
        '<div class="blog-header"><a href="/">City blog</a></div><h2 class="title">Tram network to grow</h2>'
        f'<div class="post-body"><script type="text/template">{post}</script><noscript>{post}</noscript></div>'
        '<div class="blog-footer"><a href="/about">About</a> Powered by Blogger</div>'
    )
    assert extract_html(html).text.splitlines() == EN_P


def test_text_in_inline_elements_beats_a_tiny_box_named_content() -> None:
    # A shop's blog post written straight into <span class="value"> with <br>s (no <p>), while a hidden
    # session-timeout notice is the only element named "content": the notice must not be the article.
    ar = [
        "أعلنت وزارة النقل يوم الثلاثاء عن توسيع شبكة الترام بمسافة اثني عشر كيلومتراً، بعد نقاش استمر معظم"
        " فترة بعد الظهر وحضره مئات السكان في القاعة العامة.",
        "ومن المقرر أن تبدأ أعمال البناء في الربيع المقبل، على أن تفتح المحطات الجديدة الأولى خلال ثلاث سنوات،"
        " وقالت الوزارة إن التكلفة ستتقاسمها مع الحكومة الإقليمية.",
        "وقال المعارضون إن الأموال كان من الأفضل إنفاقها على الحافلات التي تخدم الأحياء الخارجية، لكن القرار"
        " أقر بأغلبية مريحة بلغت واحداً وعشرين صوتاً مقابل تسعة.",
        "وأوضح رئيس المجلس أن الخطة تشمل أيضاً تجديد المحطات القديمة في وسط المدينة، وتركيب مصاعد جديدة لكبار"
        " السن وذوي الإعاقة، وتوسيع مواقف الدراجات الهوائية بالقرب من المحطات الرئيسية.",
        "وتتوقع البلدية أن يرتفع عدد الركاب اليومي إلى نحو مئتي ألف راكب بعد اكتمال المشروع، مقارنة بنحو مئة"
        " وعشرين ألفاً حالياً، وفق دراسة أعدتها جامعة المدينة العام الماضي.",
        "وأشار التقرير إلى أن المرحلة الأولى ستربط المطار بالحي الجامعي، بينما تصل المرحلة الثانية إلى المنطقة"
        " الصناعية في الجنوب، وتنتهي المرحلة الثالثة عند الميناء الجديد على الساحل.",
        "ورحبت غرفة التجارة بالقرار، وقالت في بيان إن الشبكة الموسعة ستخفف الازدحام في الشوارع الرئيسية، وتقلل"
        " الوقت الذي يقضيه الموظفون في التنقل كل يوم بين منازلهم وأماكن عملهم.",
    ]
    html = _page(
        '<div class="alert hidden"><div class="content">انتهت الجلسة بسبب عدم النشاط، يرجى تحديث الصفحة،'
        " ثم المحاولة مرة أخرى، شكراً.</div></div>"
        '<div class="articleHtmlText"><span class="value">' + "<br><br>".join(ar) + "</span></div>"
        '<ul class="menu"><li><a href="/">الرئيسية</a></li><li><a href="/shop">المتجر</a></li></ul>',
        "ar",
    )
    assert extract_html(html).text.splitlines() == ar


def test_short_wordpress_post_with_tag_classes_is_not_cut() -> None:
    # WordPress's post_class() spells the post's tags and categories into its class list ("tag-winter"):
    # those name the post's topics, not a tag list; a short post must not be cut as one.
    post = [
        "Who slips next on the black ice outside the bakery? Nobody, I said, and slipped.",
        "The council has promised grit for the pavements by Friday.",
    ]
    html = _page(
        '<header><a href="/">Monster talks</a></header><div id="post-1431" class="post-1431 post type-post '
        'status-publish format-standard hentry category-diary tag-winter tag-ice">'
        + "".join(f"<p>{p}</p>" for p in post)
        + '</div><footer><a href="/privacy">Privacy</a></footer>'
    )
    assert extract_html(html).text.splitlines() == post


def test_lead_at_the_end_of_a_hero_box_before_the_body_is_kept() -> None:
    # A page builder's hero box (breadcrumbs, headline, date, then the lead in its own wrappers) sits beside
    # the body container, three wrappers away from the lead paragraph.
    lead = (
        "Can a heat pump warm an old house? In principle it can. A few conditions have to be met first, and the "
        "radiators matter more than the age of the walls."
    )
    html = _page(
        '<div class="grid"><div class="page-hero-column"><div class="page-hero"><div class="breadcrumbs">'
        '<a href="/">Home</a> › <a href="/heating">Heating</a></div><h1>Heat pumps in old houses</h1>'
        '<div class="hero-meta">12 March 2024</div><div class="hero-text"><p>'
        + lead
        + '</p></div></div></div><div class="body-text">'
        + "".join(f"<p>{p}</p>" for p in EN_P)
        + "</div></div>"
    )
    assert extract_html(html).text.splitlines() == [lead, *EN_P]


def test_lead_set_as_a_long_heading_before_the_body_is_kept() -> None:
    # The lead in an <h3> of two sentences, after the date and headline in the box before the body.
    lead = (
        "Around 40,000 visitors came to the fair grounds over five days, and the camper vans drew the longest "
        "queues. In the middle of it all: the city's new tram, on show for the first time."
    )
    html = _page(
        '<div class="news-text"><div class="col"><div class="row"><span class="date">Bern, 14 May 2024</span>'
        "<h1>Tram network to grow</h1><h3>"
        + lead
        + '</h3></div></div><div class="col-8 news-detail">'
        + "".join(f"<p>{p}</p>" for p in EN_P)
        + "</div></div>"
    )
    assert extract_html(html).text.splitlines() == [lead, *EN_P]


def test_ruby_readings_are_not_text() -> None:
    # Furigana: the reading of a word printed small above it (<ruby>word<rt>reading</rt></ruby>, <rp> for
    # browsers without ruby). The text is the word alone; the readings split every phrase a search looks for.
    para = (
        "The lesson starts with <ruby>漢字<rp>(</rp><rt>かんじ</rt><rp>)</rp></ruby>, the Chinese characters, "
        "and then <ruby>子<rt>こ</rt></ruby>ども, children, a word every learner meets in the first week."
    )
    html = _page("<article>" + f"<p>{para}</p>" + "".join(f"<p>{p}</p>" for p in EN_P) + "</article>")
    text = extract_html(html).text
    assert text.splitlines()[0] == (
        "The lesson starts with 漢字, the Chinese characters, and then 子ども, children, a word every learner "
        "meets in the first week."
    )


def test_german_and_polish_button_rows_are_dropped() -> None:
    # A recipe blog's jump-and-print row, a consent tool's placeholder for an embed it holds back, a "hide
    # sources" toggle and a Polish print button: labels, not text.
    html = _page(
        "<article><p>Zum Rezept Drucken Pinnen</p><p>"
        + DE_P[0]
        + "</p><div>Externer Inhalt</div><p>"
        + DE_P[1]
        + "</p><p>"
        + DE_P[2]
        + "</p><p>Quellen ausblenden</p><p>drukuj</p></article>",
        "de",
    )
    assert extract_html(html).text.splitlines() == DE_P


def test_a_footer_named_block_beside_the_article_is_chrome() -> None:
    # The site's footer as a plain block named "footer" (no <footer> tag): the publisher's address and "about
    # us" blurb, set right after the article. It is page chrome, like <footer>.
    ar = [
        "أعلنت وزارة النقل يوم الثلاثاء عن توسيع شبكة الترام بمسافة اثني عشر كيلومتراً، بعد نقاش استمر معظم"
        " فترة بعد الظهر وحضره مئات السكان في القاعة العامة.",
        "ومن المقرر أن تبدأ أعمال البناء في الربيع المقبل، على أن تفتح المحطات الجديدة الأولى خلال ثلاث سنوات،"
        " وقالت الوزارة إن التكلفة ستتقاسمها مع الحكومة الإقليمية.",
    ]
    footer = (
        "صحيفة المدينة اليومية، شارع الملك فهد، الرياض، المملكة العربية السعودية، هاتف 0112345678، السجل"
        " التجاري رقم 1010123456، تأسست عام 1985 وتصدر كل صباح."
    )
    html = _page(
        '<div id="page"><div class="story">'
        + "".join(f"<p>{p}</p>" for p in ar)
        + f'</div><p class="b_footerText">{footer}</p></div>',
        "ar",
    )
    assert extract_html(html).text.splitlines() == ar


def test_copyright_line_and_call_to_action_box_are_chrome() -> None:
    # Inside the article's wrapper: a call-to-action box (a donation appeal) and the site's copyright line,
    # named so but built from plain paragraphs.
    cta = (
        "Independent local news needs your support. Become a member today, from three pounds a month, and help "
        "us keep every story free to read."
    )
    html = _page(
        '<div class="article">'
        + "".join(f"<p>{p}</p>" for p in EN_P)
        + f'<div class="cta-box"><p>{cta}</p></div><p class="copyright">Copyright 2024 City Herald Media Ltd, '
        "registered in England, company number 01234567, 1 High Street, Leeds.</p></div>"
    )
    assert extract_html(html).text.splitlines() == EN_P


def test_author_box_inside_the_article_is_chrome() -> None:
    # The writer's name, role and date in a box named "author" at the top of the article body.
    html = _page(
        '<div class="article-body"><div class="article-author"><span>By Sarah Malik</span>, transport '
        "correspondent, 12 March 2024</div>" + "".join(f"<p>{p}</p>" for p in EN_P) + "</div>"
    )
    assert extract_html(html).text.splitlines() == EN_P


def test_italian_lead_named_sommario_is_kept() -> None:
    # Italian newsrooms call the standfirst "sommario"; it sits in the post's box before the body container,
    # without a full stop (so only its name says it is the lead).
    lead = "A New York il grande orologio di Union Square segna ora il tempo che resta per agire sul clima"
    body = [
        "Il Metronome, l'installazione digitale che da oltre vent'anni mostra l'ora sulla facciata di un palazzo "
        "di Manhattan, è stato riprogrammato da due artisti per contare gli anni che restano alla Terra.",
        "Secondo gli autori, il conto alla rovescia si basa sulle stime dei climatologi sul bilancio di carbonio "
        "ancora disponibile per restare entro un aumento della temperatura di un grado e mezzo.",
    ]
    html = _page(
        '<div class="post type-post"><h1>Il clima a Union Square</h1>'
        f'<div class="sommario"><p>{lead}</p></div><div class="entry-content">'
        + "".join(f"<p>{p}</p>" for p in body)
        + "</div></div>",
        "it",
    )
    assert extract_html(html).text.splitlines() == [lead, *body]


def test_lead_at_the_end_of_the_article_header_is_kept() -> None:
    # WordPress themes put kicker, headline, byline and the lead in the post's <header>, cut as page chrome;
    # its last block, a sentence right before the body, is the article's first paragraph.
    lead = (
        "Seit Dezember verschickt ein Verband Abmahnungen an Nutzer freier Lizenzen, die Bilder ohne vollständige "
        "Angaben verwendet haben."
    )
    html = _page(
        '<nav><a href="/">Start</a></nav><article class="post"><header class="entry-header">'
        '<a class="entry-kicker" href="/urheberrecht">Urheberrecht</a><h1>Abmahnungen wegen Lizenzen</h1>'
        f'<div class="byline">von Anna Beispiel</div><p>{lead}</p></header><div class="entry-content">'
        + "".join(f"<p>{p}</p>" for p in DE_P)
        + '</div><div class="entry-meta">Veröffentlicht am 3. Mai 2022 in Netzpolitik</div></article>',
        "de",
    )
    lines = extract_html(html).text.splitlines()
    assert lines[: len(DE_P) + 1] == [lead, *DE_P]
    assert "Urheberrecht" not in lines and "von Anna Beispiel" not in lines


def test_publication_and_update_date_lines_are_dropped() -> None:
    # A page's dates printed as a line of their own (structured data made visible), in German, English,
    # French and Spanish: the truth of every benchmark leaves them out; a sentence that mentions an update
    # stays.
    kept = (
        "Aktualisiert am Montag wurde nur der Fahrplan, die Linienführung bleibt so, wie der Rat sie beschlossen hat."
    )
    html = _page(
        "<article><p>Veröffentlicht am 12.03.2022</p>"
        + "".join(f"<p>{p}</p>" for p in DE_P)
        + f"<p>{kept}</p><p>Zuletzt aktualisiert am 14.03.2022, 09:15 Uhr</p><p>Last updated: March 14, 2022</p>"
        "<p>Mis à jour le 14 mars 2022</p><p>Actualizado el 14 de marzo de 2022</p></article>",
        "de",
    )
    assert extract_html(html).text.splitlines() == [*DE_P, kept]


def test_kicker_over_the_headline_is_dropped() -> None:
    # The topic line over a headline ("Dachzeile") is a label, not the article's first sentence; a sentence
    # before the headline stays.
    html = _page(
        '<article><div class="kicker">Verkehrspolitik</div><h1>Tram network</h1>'
        + "".join(f"<p>{p}</p>" for p in DE_P)
        + "</article>",
        "de",
    )
    ex = extract_html(html)
    assert ex.text.splitlines() == DE_P
    assert ("Verkehrspolitik", "html:kicker") in [(r.text, r.rule) for r in ex.removed]
    said = "Der Rat hat entschieden."
    html = _page(f"<article><p>{said}</p><h1>Tram network</h1>" + "".join(f"<p>{p}</p>" for p in DE_P) + "</article>")
    assert extract_html(html).text.splitlines() == [said, *DE_P]


def test_opening_row_of_a_page_builder_joins_the_article() -> None:
    # A page builder's rows (same tag and class): the article's first heading and paragraph in a row of their
    # own, with too little paragraph mass to join as a twin by mass; a caption row before it stays out.
    opening = (
        "Nach monatelangen Beratungen hat der Stadtrat am Dienstag eine Arbeitsgruppe eingesetzt, die den Ausbau "
        "des Straßenbahnnetzes, seine Kosten und den Zeitplan der Bauarbeiten begleiten soll."
    )
    caption = (
        "Eine Straßenbahn an der Haltestelle Marktplatz am Dienstagmorgen, kurz vor der Sitzung des Stadtrats, "
        "in der über den Ausbau des Netzes um zwölf Kilometer entschieden wurde (Foto: Stadtwerke, Archiv)."
    )
    body = DE_P * 3
    html = _page(
        '<nav><a href="/">Start</a> <a href="/stadt">Stadt</a></nav><div class="post-content">'
        f'<div class="tdc-row"><figure><figcaption class="wp-caption-text">{caption}</figcaption></figure></div>'
        f'<div class="tdc-row"><div class="vc_row"><h2>Arbeitsgruppe eingesetzt</h2><p>{opening}</p></div></div>'
        '<div class="tdc-row"><div class="vc_row">' + "".join(f"<p>{p}</p>" for p in body) + "</div></div>"
        "</div><footer>Impressum</footer>",
        lang="de",
    )
    lines = extract_html(html).text.splitlines()
    assert lines == ["Arbeitsgruppe eingesetzt", opening, *body]


def test_aside_of_the_articles_own_prose_is_kept_a_sidebar_is_not() -> None:
    background = [
        "Die erste Straßenbahn fuhr 1895 durch die Altstadt; in den sechziger Jahren wurden die meisten Linien "
        "stillgelegt und durch Busse ersetzt, weil der Autoverkehr damals als die Zukunft der Stadt galt.",
        "Erst in den neunziger Jahren kehrte die Bahn zurück, zunächst auf einer einzigen Strecke zum Bahnhof, "
        "die heute täglich mehr als vierzigtausend Fahrgäste nutzen, deutlich mehr als ursprünglich erwartet.",
        "Seitdem wurde das Netz dreimal erweitert, jedes Mal nach langen Debatten über Kosten, Lärm und die "
        "Frage, ob Busse auf eigenen Spuren nicht dasselbe für weniger Geld leisten könnten, und jedes Mal "
        "mit einer knappen Mehrheit im Stadtrat.",
    ]
    html = _page(
        "<main><article><h1>Straßenbahn wird ausgebaut</h1>"
        + "".join(f"<p>{p}</p>" for p in DE_P)
        + '<aside class="background"><h3>Hintergrund</h3>'
        + "".join(f"<p>{p}</p>" for p in background)
        + '</aside></article><aside class="sidebar"><h3>Meistgelesen</h3><ul><li><a href="/a">Neuer Radweg am '
        'Fluss eröffnet</a></li><li><a href="/b">Wochenmarkt zieht um</a></li><li><a href="/c">Bäder öffnen '
        "früher</a></li></ul></aside></main>",
        lang="de",
    )
    lines = extract_html(html).text.splitlines()
    assert lines == ["Straßenbahn wird ausgebaut", *DE_P, "Hintergrund", *background]


def test_a_box_outside_main_does_not_win_over_main() -> None:
    # A company home page: a slideshow's long caption above <main> outscores any one section inside it (its
    # commas), but <main> is where the page says its content is.
    caption = (
        "Unser Messestand in Hannover, mit Druckern, Etiketten, Folien, Farbbändern, Scannern, Software, "
        "Zubehör, Ersatzteilen, Schulungen, Wartungsverträgen, Leasing, Beratung und Service, an allen Tagen."
    )
    slides = f'<div class="slide"><p>{caption}</p></div>'
    sections = [
        "Wir beraten herstellerunabhängig und planen immer objektiv, damit Ihre Anlage zu Ihrem Betrieb passt.",
        "Kaufen Sie bei uns preiswerte Etiketten in Ihrem Wunschformat, auch in kleinen Mengen und kurzfristig.",
        "Wir bieten professionelle Drucksysteme für alle Anwendungsbereiche, vom Lager bis zur Produktion.",
        "Unser Service repariert Drucker aller Hersteller, in unserer Werkstatt oder direkt bei Ihnen vor Ort.",
        "Seit dreißig Jahren beliefern wir Handel, Industrie und Logistik in der ganzen Region mit Etiketten.",
    ]
    html = _page(
        f'<div class="slideshow">{slides}</div><main><div class="wrapper">'
        + "".join(f'<div class="col"><h3>Leistung {i}</h3><p>{p}</p></div>' for i, p in enumerate(sections))
        + "</div></main><footer>Impressum</footer>",
        lang="de",
    )
    text = extract_html(html).text
    assert all(p in text for p in sections)
    assert caption not in text


def test_opening_row_with_the_photo_credit_beside_the_first_paragraphs_joins_in_part() -> None:
    # A news site's story rows (same tag and class): the first row holds a column with the photo credit, the
    # byline and the date, and a column with the article's first paragraphs; the body follows in the next row.
    # The paragraphs join; the credit and the byline do not.
    opening = [
        "Mayor Ellen Park's surprise resignation, announced just two days before the budget vote, has angered "
        "several council members who say they were given no warning at all.",
        "Park, who served two terms, will take a post with the regional transport authority, a move she "
        "disclosed in an interview with the local radio station early on Monday morning.",
    ]
    body = EN_P * 3
    html = _page(
        '<nav><a href="/">Home</a> <a href="/politics">Politics</a></nav><main>'
        '<section class="story-row"><div class="story-col"><p class="story-meta__credit">Mayor Ellen Park. | '
        'John Doe/City Photos</p><p class="story-meta__authors">By <a href="/staff/jane">JANE ROE</a></p>'
        '<p class="story-meta__timestamp"><time>03/02/2020 06:10 AM</time></p></div>'
        '<div class="story-col"><div class="story-text">'
        + "".join(f"<p>{p}</p>" for p in opening)
        + '</div></div></section><section class="story-row"><div class="story-col"><div class="story-text">'
        + "".join(f"<p>{p}</p>" for p in body)
        + "</div></div></section></main><footer>Terms of Service</footer>",
    )
    text = extract_html(html).text
    assert text.splitlines() == [*opening, *body]


def test_opening_paragraphs_before_the_photo_inside_the_article_join_it() -> None:
    # The article's first two paragraphs sit in a box of their own between the headline and the photo; the
    # body follows after the photo and the byline. Both opening paragraphs join (not only the last one, as a
    # lead would); the caption, the byline and a teaser list after the <article> stay out.
    opening = [
        "Der Stadtrat hat am Dienstagabend nach einer langen und teils hitzigen Debatte beschlossen, die "
        "Straßenbahn in den Norden der Stadt zu verlängern, und damit einen jahrelangen Streit beendet.",
        "Die neue Strecke soll zwölf Kilometer lang werden und acht Haltestellen haben; die Planung übernimmt "
        "das städtische Verkehrsunternehmen, das bereits im Frühjahr erste Entwürfe vorlegen will.",
    ]
    body = DE_P * 3
    html = _page(
        '<nav><a href="/">Start</a> <a href="/stadt">Stadt</a></nav><main><article>'
        f"<h1>Straßenbahn wird verlängert</h1><div>{''.join(f'<p>{p}</p>' for p in opening)}</div>"
        '<figure><img src="bahn.jpg"><figcaption>Eine Straßenbahn am Marktplatz. Foto: Archiv</figcaption>'
        '</figure><p class="byline">Von Anna Beispiel, 12. März 2024</p><div class="text">'
        + "".join(f"<p>{p}</p>" for p in body)
        + '</div></article><div class="more"><h3>Mehr aus der Stadt</h3><ul><li><a href="/a">Radweg am Fluss '
        'eröffnet</a></li><li><a href="/b">Wochenmarkt zieht um</a></li></ul></div></main>',
        lang="de",
    )
    assert extract_html(html).text.splitlines() == [*opening, *body]


def test_a_short_label_ending_the_text_is_dropped_a_closing_list_or_sentence_is_not() -> None:
    # A label line left after the article's last paragraph (a "further reading" heading whose links were cut,
    # a view count) is not the article; a short closing sentence and a list closing the article are.
    def text_of(tail: str) -> list[str]:
        html = _page(
            '<nav><a href="/">Start</a></nav><article><h1>Straßenbahn wird ausgebaut</h1><div class="text">'
            + "".join(f"<p>{p}</p>" for p in DE_P * 2)
            + tail
            + "</div></article>",
            lang="de",
        )
        return extract_html(html).text.splitlines()

    assert text_of("<h3>Weiterführender Link</h3>") == DE_P * 2
    assert text_of("<p>Beitragsaufrufe: 1.204</p>") == DE_P * 2
    assert text_of("<p>Wir bleiben dran.</p>") == [*DE_P * 2, "Wir bleiben dran."]
    assert text_of("<ul><li>Linie 4 bis Nordfriedhof</li><li>Linie 7 bis Messe</li></ul>") == [
        *DE_P * 2,
        "Linie 4 bis Nordfriedhof",
        "Linie 7 bis Messe",
    ]


def test_a_standfirst_of_two_paragraphs_before_the_body_is_kept_whole() -> None:
    # A travel guide's introduction: two paragraphs in a box of their own before the article element that the
    # paragraph scoring picks; both are the lead, not only the one next to the body.
    intro = [
        "Emden ist vor allem als Hafenstadt an der Ems bekannt, und viele Besucher kommen wegen der Kunsthalle, "
        "der Kanäle und der Fischbrötchen am Ratsdelft in die Stadt.",
        "Wer einen Tag mehr Zeit mitbringt, findet hier außerdem Museumsschiffe, einen Bunker mit Ausstellung "
        "und Radwege entlang der Deiche bis hinaus zum Dollart.",
    ]
    html = _page(
        '<nav><a href="/">Start</a></nav><div class="row"><div class="small">'
        + "".join(f"<p>{p}</p>" for p in intro)
        + '</div><article class="post">'
        + "".join(f"<p>{p}</p>" for p in DE_P * 3)
        + "</article></div><footer>Impressum</footer>",
        lang="de",
    )
    assert extract_html(html).text.splitlines() == [*intro, *DE_P * 3]


def test_captions_ending_in_their_photo_credit_are_dropped() -> None:
    # Captions set as plain paragraphs between the article's paragraphs, each ending in its credit; a sentence
    # that names a picture agency in passing is the article's.
    captions = [
        "Das Hermelin ist im Winter mit seinem weißen Fell gut getarnt. (mlharing / iStock.com)",
        "Lee Elder war mit golferischem Talent und einem farbenfrohen Kleidungsstil gesegnet. | © Augusta "
        "National/Getty Images",
        "Wetterbild (Foto: anaterate/Pixabay.com)",
    ]
    mention = (
        "Die Bildagentur Getty Images hat die Fotos des Turniers inzwischen freigegeben, sagte ein Sprecher "
        "des Veranstalters am Montag auf Nachfrage."
    )
    html = _page(
        '<nav><a href="/">Start</a></nav><article>'
        f"<p>{DE_P[0]}</p><p>{captions[0]}</p><p>{DE_P[1]}</p><p>{captions[1]}</p><p>{mention}</p>"
        f"<p>{captions[2]}</p><p>{DE_P[2]}</p></article>",
        lang="de",
    )
    ex = extract_html(html)
    assert ex.text.splitlines() == [DE_P[0], DE_P[1], mention, DE_P[2]]
    assert [r.rule for r in ex.removed].count("html:caption") == 3
