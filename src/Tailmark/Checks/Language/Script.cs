namespace Tailmark.Checks.Language;

/// <summary>The writing systems the language detector tells apart.</summary>
public enum Script
{
    Other,
    Latin,
    Cyrillic,
    Arabic,
    Devanagari,
    Bengali,
    Gurmukhi,
    Gujarati,
    Tamil,
    Telugu,
    Kannada,
    Malayalam,
    Thai,
    Hangul,
    Kana,
    Han,
    Hebrew,
    Greek,
}
