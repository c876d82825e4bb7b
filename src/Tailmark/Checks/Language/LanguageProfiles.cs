namespace Tailmark.Checks.Language;

/// <summary>
/// The compact models of the languages that share a script. Function words are the few dozen most frequent
/// words of each language; marks are letters or affixes that set a language apart from its neighbours.
/// </summary>
public static class LanguageProfiles
{
    public static readonly IReadOnlyList<LanguageProfile> All =
    [
        LanguageProfile.Create("en", Script.Latin, "the and of to a in is that it for you was with on as are be this have not or by at from but they we an can your i he she will my has their which if do all there what so about more our its would been were them these those how when who over into than then also just only some any out up"),
        LanguageProfile.Create("es", Script.Latin, "el la los las de del y que en un una es por para con no se su al lo como más pero sus le ya este esta son también muy hay entre cuando sobre todo", ("ñ", 1), ("¿", 1), ("¡", 1), ("ción", 0.5)),
        LanguageProfile.Create("pt", Script.Latin, "o a os as de do da dos das e que em um uma é para com não no na por se mais ao como mas foi ele ela são também muito isso seu sua pelo pela", ("ã", 1), ("õ", 1), ("ção", 1), ("ções", 1)),
        LanguageProfile.Create("fr", Script.Latin, "le la les de des et est un une du en que qui pour pas dans ce sur au avec il elle nous vous sont mais ou par plus aux cette ces sont être avoir je", ("è", 0.5), ("ê", 0.5), ("ç", 0.3), ("œ", 1), ("eau", 0.3)),
        LanguageProfile.Create("de", Script.Latin, "der die und das ist nicht zu den mit von sich des auf für ein eine im dem auch es sie wir ich wenn aber oder wie bei noch nach sind einen werden wird kann", ("ß", 1), ("ä", 0.3), ("ö", 0.2), ("ü", 0.5), ("sch", 0.3)),
        LanguageProfile.Create("it", Script.Latin, "il lo la gli le di del della e è che un una in per non con si da sono ma come anche più al alla questo nel nella dei delle ci mi ha", ("zione", 0.5), ("gli", 0.3)),
        LanguageProfile.Create("nl", Script.Latin, "de het een en van is dat op te zijn niet met voor ook maar als wat er bij dit aan om hij ze wordt worden heeft", ("ij", 0.3)),
        LanguageProfile.Create("pl", Script.Latin, "i w nie na się z że do to jest jak o co ale od po tak za przez dla są jego może być", ("ą", 1), ("ę", 1), ("ł", 1), ("ś", 1), ("ż", 1), ("ź", 1), ("ć", 1), ("ń", 0.5)),
        LanguageProfile.Create("vi", Script.Latin, "và của là có không được một những các cho với này trong người để đã khi cũng như từ", ("ơ", 1), ("ư", 1), ("đ", 1), ("ă", 1), ("ạ", 1), ("ả", 1), ("ấ", 1), ("ầ", 1), ("ậ", 1), ("ế", 1), ("ề", 1), ("ệ", 1), ("ể", 1), ("ị", 1), ("ọ", 1), ("ỏ", 1), ("ố", 1), ("ồ", 1), ("ộ", 1), ("ớ", 1), ("ờ", 1), ("ở", 1), ("ợ", 1), ("ụ", 1), ("ủ", 1), ("ứ", 1), ("ừ", 1), ("ữ", 1), ("ự", 1)),
        LanguageProfile.Create("sw", Script.Latin, "na ya wa kwa ni za la katika kuwa hii yake cha kama lakini pia hiyo sana mimi wewe yeye sisi kwamba nini hivyo huu hizi", ("ng'", 0.5)),
        LanguageProfile.Create("fi", Script.Latin, "ja on ei se että oli hän kun mutta ovat myös tai joka niin kuin ole olla sen mitä voi vain ovat tämä", ("ää", 1), ("yy", 0.5), ("ssa", 0.5), ("ssä", 1)),
        LanguageProfile.Create("id", Script.Latin, "yang dan di ini itu dengan untuk tidak dari dalam akan pada juga saya ke karena ada bisa atau"),
        LanguageProfile.Create("tr", Script.Latin, "ve bir bu da de için ile çok ne gibi daha olarak ama en var", ("ı", 1), ("ğ", 1), ("ş", 1)),
        LanguageProfile.Create("ru", Script.Cyrillic, "и в не на я что он с как а то это по но они к у из за так же от все было был она мы вы", ("ы", 0.7), ("э", 0.7), ("ё", 0.7)),
        LanguageProfile.Create("uk", Script.Cyrillic, "і в не на що з та як до це у а він але для його є ми від так ви вона", ("і", 0.7), ("ї", 1), ("є", 1), ("ґ", 1)),
        LanguageProfile.Create("bg", Script.Cyrillic, "и в на не да се за е от с че това са по как но той ще има към още", ("ъ", 0.7)),
        LanguageProfile.Create("ar", Script.Arabic, "في من على أن إلى التي الذي عن ما لا هذا مع كان هذه هو هي قد كل", ("ة", 1), ("ال", 0.3), ("ى", 0.3)),
        LanguageProfile.Create("fa", Script.Arabic, "و در به از که این را با است برای آن یک تا می بر شود هم کرد", ("پ", 1), ("چ", 1), ("ژ", 1), ("گ", 1), ("ی", 0.3), ("ک", 0.3)),
        LanguageProfile.Create("ur", Script.Arabic, "کے کی میں ہے اور کا کو سے نے یہ پر ہیں تھا کہ بھی ایک", ("ٹ", 1), ("ڈ", 1), ("ڑ", 1), ("ں", 1), ("ے", 0.7), ("ہ", 0.5), ("ھ", 0.7)),
        LanguageProfile.Create("hi", Script.Devanagari, "है के की में और का को से हैं यह एक पर नहीं लिए भी कि था जो तो हो कर ने गया इस वह आप अपनी अपने करें होता", ("ता है", 1), ("ते हैं", 1)),
        LanguageProfile.Create("mr", Script.Devanagari, "आहे आणि या ते हे चा ची चे मध्ये होते नाही आहेत त्या ला व पण म्हणून केले तो ती आपण हा झाले", ("ळ", 1), ("च्या", 1), ("ण्या", 0.5)),
        LanguageProfile.Create("ne", Script.Devanagari, "छ र मा हो पनि गर्न छन् भएको लागि यो त्यो गरे थियो छैन हुन्छ बाट सँग तर भने गरेको हुने हामी", ("बाट", 1), ("हरू", 1), ("ले", 0.3), ("छ", 0.5)),
    ];

    /// <summary>Where a shared script has no evidence either way, the language most texts in it are written in.</summary>
    private static string DefaultFor(Script script) => script switch
    {
        Script.Arabic => "ar",
        Script.Devanagari => "hi",
        _ => LanguageDetector.Undetermined,
    };

    // Every function word of a script's languages mapped to the profiles that list it, so a text's words are
    // looked up once each (without allocating) rather than once per language.
    private static readonly Dictionary<Script, (LanguageProfile[] Profiles, Dictionary<string, int[]> Words)> ByScript = All
        .GroupBy(p => p.Script)
        .ToDictionary(g => g.Key, g =>
        {
            var profiles = g.ToArray();
            var words = new Dictionary<string, int[]>(StringComparer.Ordinal);
            for (var i = 0; i < profiles.Length; i++)
            {
                foreach (var w in profiles[i].FunctionWords) words[w] = [.. words.GetValueOrDefault(w, []), i];
            }
            return (profiles, words);
        });

    /// <summary>The best-scoring language of <paramref name="script"/> for an already lower-cased text.</summary>
    public static string Best(Script script, string lower)
    {
        if (!ByScript.TryGetValue(script, out var table)) return DefaultFor(script);
        var (profiles, functionWords) = table;
        var lookup = functionWords.GetAlternateLookup<ReadOnlySpan<char>>();
        var hits = new int[profiles.Length];
        var wordCount = LanguageDetector.ForEachWord(lower, word =>
        {
            if (lookup.TryGetValue(word, out var owners))
            {
                foreach (var i in owners) hits[i]++;
            }
        });
        var ascii = System.Text.Ascii.IsValid(lower);
        string? best = null;
        double bestScore = 0, runnerUp = 0;
        var bestHits = 0;
        for (var i = 0; i < profiles.Length; i++)
        {
            var score = hits[i] + profiles[i].MarkScore(lower, ascii);
            if (score > bestScore)
            {
                runnerUp = bestScore;
                best = profiles[i].Code;
                bestScore = score;
                bestHits = hits[i];
            }
            else if (score > runnerUp)
            {
                runnerUp = score;
            }
        }
        if (best is null) return DefaultFor(script);
        // Latin and Cyrillic share many short words across languages: demand a little evidence — two function
        // words, or one in a text of five or more words where no other language scores a full point.
        if (script is Script.Latin or Script.Cyrillic && bestHits < LanguageDetector.MinimumEvidence && bestScore < 3 &&
            !(bestHits == 1 && runnerUp < 1 && wordCount >= 5))
        {
            return LanguageDetector.Undetermined;
        }
        return best;
    }
}
