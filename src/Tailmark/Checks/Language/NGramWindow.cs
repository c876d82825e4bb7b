using Tailmark.Checks.Text;

namespace Tailmark.Checks.Language;

/// <summary>
/// The last one to three characters of a word being read, after langdetect's character normalisation, and the
/// rule that gives capital words no n-grams. The rules are those its profiles were counted under, so that the
/// same text yields the same n-grams: ASCII other than letters and all General Punctuation read as a space;
/// kana, Bopomofo and Hangul syllables collapse to one representative each, CJK ideographs to their class,
/// Vietnamese letters with a tone mark above U+1EA0 to one letter; Romanian comma-below letters become the cedilla
/// forms and Farsi yeh the Arabic one. A word becomes a "capital word" — yielding nothing — from its second
/// consecutive capital letter until a character that is not a capital.
/// </summary>
internal struct NGramWindow
{
    private const int Space = ' ';

    // Up to three characters as UTF-16 code units, oldest in the low bits — the layout of a packed key, so a key
    // is a shift and a mask. A character beyond the BMP is held as U+FFFF, which no profile has.
    private ulong _chars;
    private int _length;
    private int _last;
    private bool _lastUpper;

    public NGramWindow()
    {
        _chars = Space;
        _length = 1;
        _last = Space;
    }

    /// <summary>True while the window is inside a capital word (no n-grams are taken).</summary>
    public bool InCapitalWord { get; private set; }

    /// <summary>How many characters the window holds (1 to 3).</summary>
    public readonly int Length => _length;

    /// <summary>Reads the next character of the text.</summary>
    public void Add(int codePoint, NGramProfiles profiles)
    {
        var ch = Normalize(codePoint, profiles);
        if (_last == Space)
        {
            _chars = Space;
            _length = 1;
            _lastUpper = false;
            InCapitalWord = false;
            if (ch == Space) return;
        }
        else if (_length == 3)
        {
            _chars >>= 16;
            _length = 2;
        }
        _chars |= (ulong)Math.Min(ch, 0xFFFF) << (16 * _length++);

        var upper = ch < 0x80 ? (uint)(ch - 'A') < 26 : PyCase.IsUpper(ch);
        if (upper)
        {
            if (_lastUpper) InCapitalWord = true;
        }
        else
        {
            InCapitalWord = false;
        }
        _last = ch;
        _lastUpper = upper;
    }

    /// <summary>The packed key (<see cref="NGramProfiles"/>) of the last <paramref name="n"/> characters (n ≤ <see cref="Length"/>).</summary>
    public readonly ulong Key(int n) => (ulong)n << 48 | (_chars >> (16 * (_length - n))) & ((1UL << (16 * n)) - 1);

    private static int Normalize(int ch, NGramProfiles profiles) => ch switch
    {
        <= 0x7F => char.IsAsciiLetter((char)ch) ? ch : Space,
        <= 0xFF => profiles.Latin1AsSpace.Contains((char)ch) ? Space : ch,
        0x219 => 0x15F,
        0x21B => 0x163,
        0x6CC => 0x64A,
        >= 0x1EA0 and <= 0x1EFF => 0x1EC3,
        >= 0x2000 and <= 0x206F => Space,
        >= 0x3040 and <= 0x309F => 0x3042,
        >= 0x30A0 and <= 0x30FF => 0x30A2,
        >= 0x3100 and <= 0x312F or >= 0x31A0 and <= 0x31BF => 0x3105,
        >= 0x4E00 and <= 0x9FFF => profiles.HanClass(ch),
        >= 0xAC00 and <= 0xD7AF => 0xAC00,
        _ => ch,
    };
}
