using Tailmark.Checks.Language;
using Tailmark.Checks.Text;

namespace Tailmark.Tests.Checks;

/// <summary>The detector's parts against values worked out by hand from langdetect's rules and data.</summary>
public sealed class LanguageDetectorPartsTests
{
    [Fact]
    public void Window_CapitalWordsYieldNothingFromTheirSecondCapital()
    {
        // By hand: "A" opens a word (" A"); "B" after a capital makes a capital word, so nothing; "c" ends it and
        // yields c, Bc, ABc; the space yields "c " and "Bc " (a lone space is no unigram); "D" opens a word again.
        Assert.Equal(["A", " A", "c", "Bc", "ABc", "c ", "Bc ", "D", " D"], Grams("ABc D"));
    }

    [Fact]
    public void Window_NormalisesCharactersAsTheProfilesWereCounted()
    {
        // Digits and ASCII punctuation read as spaces (the one after é closes its word: "é ", " é "); so do the
        // Latin-1 characters langdetect excludes (« ° »)
        // and General Punctuation (— U+2014); é stays; Romanian ș becomes ş; Farsi yeh becomes Arabic yeh;
        // kana collapse to あ / ア; Vietnamese letters from U+1EA0 collapse to ể.
        Assert.Equal(["é", " é", "é ", " é "], Grams("«1é°»—"));
        Assert.Equal(["ş", " ş"], Grams("ș"));
        Assert.Equal(["ي", " ي"], Grams("ی"));
        Assert.Equal(["あ", " あ", "ア", "あア", " あア"], Grams("ぁヴ"));
        Assert.Equal(["ể", " ể"], Grams("ế"));
    }

    [Fact]
    public void Profiles_GiveTheCountOverTheProfilesTotal()
    {
        // From langdetect 1.0.9's profile "en": " A" counted 1,263,874 times among 308,553,243 bigrams; "the"
        // 3,415,279 times among 224,934,017 trigrams; and "fr" counts "the" 16,191 times among 56,850,284.
        var profiles = NGramProfiles.Shared;
        var en = Array.IndexOf(profiles.Languages, "en");
        var fr = Array.IndexOf(profiles.Languages, "fr");
        var p = new double[profiles.Languages.Length];
        profiles.Probabilities(profiles.Find(Key(" A")), p);
        Assert.Equal(1_263_874.0 / 308_553_243, p[en]);
        profiles.Probabilities(profiles.Find(Key("the")), p);
        Assert.Equal(3_415_279.0 / 224_934_017, p[en]);
        Assert.Equal(16_191.0 / 56_850_284, p[fr]);
        Assert.Equal(55, profiles.Languages.Length);
        Assert.Equal(-1, profiles.Find(Key("q\u0416z")));
    }

    [Fact]
    public void PyCase_CountsPythonsOtherUppercaseAndOtherLowercase()
    {
        // Python 3.11: "Ⅻ".isupper() and "ª".islower() are True (Other_Uppercase / Other_Lowercase); the titlecase
        // "ǅ" is neither, so a string holding it is neither upper nor lower.
        Assert.True(PyCase.IsUpper('\u216B'));
        Assert.True(PyCase.IsLower('\u00AA'));
        Assert.False(PyCase.IsUpper('\u01C5') || PyCase.IsLower('\u01C5'));
        Assert.True(PyText.IsUpper("\u216BA"));
        Assert.True(PyText.IsLower("\u00AAb"));
        Assert.False(PyText.IsUpper("A\u01C5"));
    }

    // The packed key as the profile file's layout defines it (Data/build-profiles.py): code units and the length.
    private static ulong Key(string gram) =>
        gram.Select((c, i) => (ulong)c << (16 * i)).Aggregate((ulong)gram.Length << 48, (key, part) => key | part);

    private static List<string> Grams(string text)
    {
        var window = new NGramWindow();
        var grams = new List<string>();
        foreach (var rune in text.EnumerateRunes())
        {
            window.Add(rune.Value, NGramProfiles.Shared);
            if (window.InCapitalWord) continue;
            for (var n = 1; n <= window.Length; n++)
            {
                var key = window.Key(n);
                var gram = new string([.. Enumerable.Range(0, n).Select(i => (char)(key >> (16 * i)))]);
                if (gram != " ") grams.Add(gram);
            }
        }
        return grams;
    }
}
