using System.Runtime.CompilerServices;
using System.Text;
using System.Text.RegularExpressions;

namespace Tailmark.Checks.Language;

/// <summary>
/// From a text to the n-grams the detector samples, as langdetect prepares them: its clean-up, then every 1-, 2-
/// and 3-gram of the normalised text (<see cref="NGramWindow"/>) as a candidate; the workspace draws among those
/// some profile counted.
/// </summary>
internal static partial class DetectorText
{
    private const int MaxTextLength = 10_000;

    /// <summary>Fills the workspace's text and candidate n-grams from <paramref name="text"/>.</summary>
    public static void Read(string text, DetectorWorkspace workspace)
    {
        Clean(text, workspace);
        AddCandidates(workspace);
    }

    /// <summary>
    /// langdetect's clean-up, as code points: web and mail addresses become a space, a Vietnamese letter and its
    /// combining tone mark become one letter, the first 10,000 characters are kept with runs of spaces squeezed to
    /// one, and a text with more than twice as many characters from U+0300 up as ASCII letters loses its ASCII
    /// letters (A–z, a range that also takes in [ \ ] ^ _ `). langdetect meant to spare Latin Extended Additional
    /// from that count but compares a block number with a name, so it spares nothing; we do as it does.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Clean(string text, DetectorWorkspace workspace)
    {
        // The address patterns can only match where "http" or "@" occurs; scanning for those first keeps long texts cheap.
        if (text.Contains("http", StringComparison.Ordinal)) text = WebAddress().Replace(text, " ");
        if (text.Contains('@')) text = MailAddress().Replace(text, " ");
        text = CombineVietnameseMarks(text, workspace.Profiles);

        var cleaned = workspace.TextSpace(Math.Min(text.Length, MaxTextLength)); // code points ≤ UTF-16 units
        var length = 0;
        var previous = -1;
        var taken = 0;
        var latin = 0;
        var nonLatin = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            if (taken++ == MaxTextLength) break;
            var ch = rune.Value;
            if (ch != ' ' || previous != ' ')
            {
                cleaned[length++] = ch;
                if (ch is >= 'A' and <= 'z') latin++;
                else if (ch >= 0x300) nonLatin++;
            }
            previous = ch;
        }
        if (latin * 2 < nonLatin)
        {
            var kept = 0;
            for (var i = 0; i < length; i++)
            {
                if (cleaned[i] is < 'A' or > 'z') cleaned[kept++] = cleaned[i];
            }
            length = kept;
        }
        workspace.TextLength = length;
    }

    private static string CombineVietnameseMarks(string text, NGramProfiles profiles)
    {
        if (text.AsSpan().IndexOfAny(profiles.VietnameseMarks) < 0) return text;
        var result = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var letter = profiles.VietnameseBases.IndexOf(text[i]);
            var mark = i + 1 < text.Length ? profiles.VietnameseMarks.IndexOf(text[i + 1]) : -1;
            if (letter >= 0 && mark >= 0)
            {
                result.Append(profiles.VietnameseCombined[mark][letter]);
                i++;
            }
            else
            {
                result.Append(text[i]);
            }
        }
        return result.ToString();
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AddCandidates(DetectorWorkspace workspace)
    {
        var profiles = workspace.Profiles;
        var text = workspace.Text.AsSpan(0, workspace.TextLength);
        var candidates = workspace.CandidateSpace(text.Length * 3);
        var count = 0;
        var window = new NGramWindow();
        foreach (var ch in text)
        {
            window.Add(ch, profiles);
            if (window.InCapitalWord) continue;
            for (var n = 1; n <= window.Length; n++)
            {
                var key = window.Key(n);
                if (key != (1UL << 48 | ' ')) candidates[count++] = key; // a lone space is no unigram
            }
        }
        workspace.SetCandidateCount(count);
    }

    [GeneratedRegex("https?://[-_.?&~;+=/#0-9A-Za-z]{1,2076}", RegexOptions.CultureInvariant)]
    private static partial Regex WebAddress();

    [GeneratedRegex("[-_.0-9A-Za-z]{1,64}@[-_0-9A-Za-z]{1,255}[-_.0-9A-Za-z]{1,255}", RegexOptions.CultureInvariant)]
    private static partial Regex MailAddress();
}
