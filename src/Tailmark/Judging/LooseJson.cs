using System.Text;

namespace Tailmark.Judging;

/// <summary>
/// Reads one object or array from a model's answer, tolerating the deviations whose meaning is not in doubt:
/// trailing commas, single-quoted strings, Python's <c>True</c>/<c>False</c>/<c>None</c>, unquoted keys and bare-word
/// values (<c>{met: yes}</c>), raw line breaks inside strings, and <c>//</c> or <c>/* */</c> comments. Anything else
/// (a missing comma, an unclosed brace, a stray word between members) makes the read fail: what is not clear is not
/// guessed at.
/// </summary>
public static class LooseJson
{
    /// <summary>Nesting deeper than this is refused (answers are small; a deep one is garbage, or an attack).</summary>
    public const int MaxDepth = 32;

    /// <summary>Reads the object or array that starts at START; null when the text there is not one.</summary>
    public static LooseValue? TryRead(string text, int start) => TryRead(text, start, out _);

    /// <summary>
    /// Reads the object or array that starts at START; null when the text there is not one. ENDEDOPEN tells a value
    /// still open when the text ended (an answer cut short: nothing inside it stands on its own) from one broken by a
    /// syntax error.
    /// </summary>
    public static LooseValue? TryRead(string text, int start, out bool endedOpen)
    {
        endedOpen = false;
        if (start < 0 || start >= text.Length || text[start] is not ('{' or '[')) return null;
        var reader = new Reader(text, start);
        if (reader.Value(0) is { Kind: LooseKind.Object or LooseKind.Array } v) return v;
        endedOpen = reader.AtEnd;
        return null;
    }

    private struct Reader(string text, int pos)
    {
        private int _pos = pos;

        public readonly bool AtEnd => _pos >= text.Length;

        public LooseValue? Value(int depth)
        {
            if (depth > MaxDepth || !SkipSpace()) return null;
            var c = text[_pos];
            return c switch
            {
                '{' => Object(depth),
                '[' => Array(depth),
                '"' or '\'' => String(),
                _ when c is '-' or '+' or '.' || char.IsAsciiDigit(c) => Number(),
                _ when IsWordStart(c) => Word(),
                _ => null,
            };
        }

        private LooseValue? Object(int depth)
        {
            var obj = LooseValue.NewObject(_pos);
            _pos++;
            while (true)
            {
                if (!SkipSpace()) return null;
                if (text[_pos] == '}')
                {
                    obj.End = ++_pos;
                    return obj;
                }
                var key = Key();
                if (key is null || !SkipSpace() || text[_pos] != ':') return null;
                _pos++;
                var value = Value(depth + 1);
                if (value is null) return null;
                obj.AddMember(key, value);
                if (!SkipSpace()) return null;
                if (text[_pos] == ',') _pos++;
                else if (text[_pos] != '}') return null;
            }
        }

        private LooseValue? Array(int depth)
        {
            var array = LooseValue.NewArray(_pos);
            _pos++;
            while (true)
            {
                if (!SkipSpace()) return null;
                if (text[_pos] == ']')
                {
                    array.End = ++_pos;
                    return array;
                }
                var value = Value(depth + 1);
                if (value is null) return null;
                array.AddItem(value);
                if (!SkipSpace()) return null;
                if (text[_pos] == ',') _pos++;
                else if (text[_pos] != ']') return null;
            }
        }

        private string? Key()
        {
            var c = text[_pos];
            if (c is '"' or '\'') return String()?.Text;
            if (!IsWordStart(c)) return null;
            var start = _pos;
            while (_pos < text.Length && IsWordPart(text[_pos])) _pos++;
            return text[start.._pos];
        }

        private LooseValue? String()
        {
            var quote = text[_pos];
            var start = _pos++;
            StringBuilder? sb = null;
            var runStart = _pos;
            while (_pos < text.Length)
            {
                var c = text[_pos];
                if (c == quote)
                {
                    var value = sb is null ? text[runStart.._pos] : sb.Append(text, runStart, _pos - runStart).ToString();
                    _pos++;
                    return LooseValue.Scalar(LooseKind.String, start, _pos, value);
                }
                if (c != '\\')
                {
                    _pos++;
                    continue;
                }
                sb ??= new StringBuilder();
                sb.Append(text, runStart, _pos - runStart);
                if (++_pos >= text.Length) return null;
                var e = text[_pos++];
                switch (e)
                {
                    case 'n': sb.Append('\n'); break;
                    case 't': sb.Append('\t'); break;
                    case 'r': sb.Append('\r'); break;
                    case 'b': sb.Append('\b'); break;
                    case 'f': sb.Append('\f'); break;
                    case 'u' when _pos + 4 <= text.Length
                        && ushort.TryParse(text.AsSpan(_pos, 4), System.Globalization.NumberStyles.HexNumber, null, out var code):
                        sb.Append((char)code);
                        _pos += 4;
                        break;
                    default: sb.Append(e); break; // \" \' \\ \/ and any other escaped character stand for themselves
                }
                runStart = _pos;
            }
            return null;
        }

        private LooseValue? Number()
        {
            var start = _pos;
            if (text[_pos] is '-' or '+') _pos++;
            var digits = 0;
            while (_pos < text.Length && (char.IsAsciiDigit(text[_pos]) || text[_pos] is '.' or 'e' or 'E' ||
                (text[_pos] is '-' or '+' && text[_pos - 1] is 'e' or 'E')))
            {
                if (char.IsAsciiDigit(text[_pos])) digits++;
                _pos++;
            }
            if (digits == 0) return null;
            var value = LooseValue.Scalar(LooseKind.Number, start, _pos, text[start.._pos]);
            return value.AsNumber() is null ? null : value;
        }

        // true/false/null, Python's True/False/None, and any other bare word as a string ({met: yes}).
        private LooseValue? Word()
        {
            var start = _pos;
            while (_pos < text.Length && IsWordPart(text[_pos])) _pos++;
            var word = text[start.._pos];
            return word switch
            {
                "true" or "True" => LooseValue.Scalar(LooseKind.True, start, _pos),
                "false" or "False" => LooseValue.Scalar(LooseKind.False, start, _pos),
                "null" or "None" => LooseValue.Scalar(LooseKind.Null, start, _pos),
                _ => LooseValue.Scalar(LooseKind.String, start, _pos, word),
            };
        }

        // Skips white space and comments; false at the end of the text.
        private bool SkipSpace()
        {
            while (_pos < text.Length)
            {
                var c = text[_pos];
                if (char.IsWhiteSpace(c))
                {
                    _pos++;
                }
                else if (c == '/' && _pos + 1 < text.Length && text[_pos + 1] == '/')
                {
                    var nl = text.IndexOf('\n', _pos);
                    _pos = nl < 0 ? text.Length : nl + 1;
                }
                else if (c == '/' && _pos + 1 < text.Length && text[_pos + 1] == '*')
                {
                    var close = text.IndexOf("*/", _pos + 2, StringComparison.Ordinal);
                    if (close < 0) return false;
                    _pos = close + 2;
                }
                else
                {
                    return true;
                }
            }
            return false;
        }

        private static bool IsWordStart(char c) => char.IsAsciiLetter(c) || c == '_';

        private static bool IsWordPart(char c) => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.';
    }
}
