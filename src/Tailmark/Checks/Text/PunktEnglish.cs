using System.Collections.Frozen;

namespace Tailmark.Checks.Text;

/// <summary>
/// Our approximation of the English parameters Punkt learned from its training corpus: abbreviations (the text
/// before the final period, lower case), words that start sentences, and words known to occur in lower case.
/// Written for Tailmark from common English usage; the trained tables are not available on our machines.
/// </summary>
internal static class PunktEnglish
{
    public static readonly FrozenSet<string> Abbreviations = new[]
    {
        "mr", "mrs", "ms", "dr", "prof", "jr", "sr", "st", "mt", "ft", "rev", "gen", "gov", "sen", "rep", "col",
        "capt", "cpt", "lt", "sgt", "maj", "cmdr", "adm", "hon", "pres", "supt", "messrs", "mme", "mlle",
        "inc", "ltd", "co", "corp", "bros", "assn", "dept", "univ", "est", "assoc",
        "vs", "v", "etc", "e.g", "i.e", "cf", "viz", "al", "approx", "ca", "fig", "figs", "vol", "vols", "no", "nos",
        "p", "pp", "chap", "sec", "ed", "eds", "repr", "trans", "op", "cit", "ibid", "n.b", "p.s",
        "a.m", "p.m", "u.s", "u.k", "u.n", "u.s.a", "d.c", "n.y", "l.a", "ph.d", "m.d", "b.a", "m.a", "b.s", "m.s",
        "jan", "feb", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
        "tue", "tues", "thu", "thur", "thurs", "sun",
        "ala", "ariz", "ark", "calif", "colo", "conn", "fla", "kan", "kans", "la",
        "mich", "minn", "mont", "neb", "nev", "okla", "tenn", "tex",
        "vt", "wis", "wyo",
        "ave", "blvd", "rd", "hwy", "sq", "mt", "jct",
        "oz", "lb", "lbs", "yd", "sq", "hr", "hrs", "mins",
    }.ToFrozenSet(StringComparer.Ordinal);

    public static readonly FrozenSet<string> SentenceStarters = new[]
    {
        "the", "a", "an", "this", "that", "these", "those", "it", "he", "she", "they", "we", "i", "you", "but",
        "and", "however", "on", "at", "for", "if", "when", "while", "as", "there", "his", "her", "their",
        "our", "its", "my", "some", "many", "most", "after", "before", "since", "although", "so", "yet", "also",
    }.ToFrozenSet(StringComparer.Ordinal);

    private static readonly FrozenSet<string> LowercaseWords = new[]
    {
        "the", "a", "an", "and", "or", "but", "nor", "so", "yet", "for", "of", "on", "at", "to", "from", "by",
        "with", "about", "as", "into", "like", "through", "after", "over", "between", "out", "against", "during",
        "without", "before", "under", "around", "among", "it", "he", "she", "they", "we", "you", "i", "me", "him",
        "her", "them", "us", "his", "its", "their", "our", "your", "my", "this", "that", "these", "those", "there",
        "here", "what", "which", "who", "whom", "whose", "when", "where", "why", "how", "is", "are", "was",
        "were", "be", "been", "being", "have", "has", "had", "do", "does", "did", "will", "would", "can", "could",
        "should", "may", "might", "must", "shall", "not", "no", "yes", "if", "then", "than", "also", "however",
        "because", "while", "although", "though", "since", "some", "many", "most", "more", "much", "few",
        "all", "any", "each", "every", "both", "either", "neither", "other", "another", "such", "only", "just",
        "very", "too", "even", "still", "now", "today", "first", "second", "finally", "next", "last", "one", "two",
        "make", "use", "take", "keep", "consider", "remember", "try", "let", "add", "buy", "get", "go", "see",
        "write", "read", "check", "start", "stop", "set", "find", "give", "put", "ask", "tell", "think",
        "let's", "it's", "i'm", "don't", "that's", "there's", "we're", "you're", "i'll", "we'll", "can't", "won't",
        "isn't", "here's", "what's", "i've", "you'll", "doesn't", "didn't",
        "please", "thank", "thanks", "hello", "hi", "dear", "welcome", "sure", "well", "okay", "ok", "yes", "now",
        "people", "time", "year", "way", "day", "thing", "man", "world", "life", "hand", "part", "child", "eye",
        "woman", "place", "work", "week", "case", "point", "number", "group", "problem", "fact", "water", "money",
        "know", "want", "look", "come", "need", "feel", "become", "leave", "mean", "help", "show", "hear", "play",
        "run", "move", "like", "live", "believe", "bring", "happen", "provide", "sit", "stand", "lose", "pay",
        "meet", "include", "continue", "learn", "change", "lead", "understand", "watch", "follow", "create",
        "speak", "allow", "spend", "grow", "open", "walk", "win", "offer", "love", "wait", "serve", "die",
        "send", "expect", "build", "stay", "fall", "cut", "reach", "kill", "remain", "suggest", "raise", "pass",
        "sell", "require", "report", "decide", "pull", "good", "new", "old", "great", "high", "small", "large",
        "big", "long", "little", "own", "right", "different", "important", "bad", "best", "better", "early",
        "young", "able", "hard", "sometimes", "often", "always", "never", "usually", "perhaps", "maybe",
        "instead", "therefore", "thus", "otherwise", "meanwhile", "overall", "additionally", "furthermore",
        "moreover", "similarly", "lastly", "ultimately", "unfortunately", "fortunately", "generally", "again",
        "once", "after", "during", "every", "whether", "whatever", "whenever", "here", "everyone", "everything",
        "nothing", "something", "someone", "anyone", "nobody", "each", "both", "enjoy", "note", "imagine",
        "choose", "avoid", "ensure", "make", "remember", "stay", "drink", "eat", "sleep", "call", "visit",
    }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>True when the word type is known to occur in lower case (and not capitalized mid-sentence).</summary>
    public static bool SeenLowercase(string type) => LowercaseWords.Contains(type);
}
