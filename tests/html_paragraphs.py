"""Article paragraphs (English, German, Arabic) that the HTML tests by kind of page build their pages from: long
enough to be prose, plain enough that any change in the extracted text is the rule under test."""

EN_P = [
    "The city council voted on Tuesday to expand the tram network by twelve kilometres, after a debate that "
    "lasted most of the afternoon and drew hundreds of residents to the public gallery.",
    "Construction is due to begin next spring, and the first new stops should open within three years, the "
    "transport department said, adding that the cost would be shared with the regional government.",
    "Opponents argued that the money would be better spent on buses, which already serve the outer districts, "
    "but the motion passed with a comfortable majority of twenty-one votes to nine.",
]
DE_P = [
    "Der Stadtrat hat am Dienstag beschlossen, das Straßenbahnnetz um zwölf Kilometer zu erweitern, nachdem "
    "die Debatte fast den ganzen Nachmittag gedauert hatte und Hunderte Bürger auf der Tribüne saßen.",
    "Die Bauarbeiten sollen im nächsten Frühjahr beginnen, und die ersten neuen Haltestellen sollen innerhalb "
    "von drei Jahren eröffnet werden, teilte das Verkehrsamt mit, die Kosten teile man mit dem Land.",
    "Gegner hatten argumentiert, das Geld sei besser in Busse investiert, die die äußeren Bezirke bereits "
    "bedienen, doch der Antrag wurde mit einer deutlichen Mehrheit von einundzwanzig zu neun Stimmen angenommen.",
]
AR_P = [
    "قال المتحدث الرسمي باسم وزارة النقل إن أعمال توسعة شبكة القطارات ستبدأ في الربيع المقبل، وإن المحطات "
    "الجديدة الأولى ستفتتح خلال ثلاث سنوات، على أن تتقاسم الحكومة الإقليمية التكاليف مع البلدية.",
    "وأضاف أن المجلس البلدي صوت يوم الثلاثاء على المشروع بعد نقاش استمر معظم فترة ما بعد الظهر، وحضره "
    "مئات من السكان الذين ملأوا القاعة المخصصة للجمهور في مبنى البلدية.",
    "وكان المعارضون قد رأوا أن الأموال يجب أن تنفق على الحافلات التي تخدم الأحياء البعيدة، لكن المقترح "
    "أُقر بأغلبية واحد وعشرين صوتا مقابل تسعة أصوات في جلسة علنية.",
]
