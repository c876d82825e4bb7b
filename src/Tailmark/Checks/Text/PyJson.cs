namespace Tailmark.Checks.Text;

/// <summary>
/// Decides whether Python's <c>json.loads</c> would accept a string: standard JSON plus the literals
/// <c>NaN</c>, <c>Infinity</c> and <c>-Infinity</c>, white space only from " \t\n\r", no control characters
/// inside strings, any value at the top level, nothing but white space after it.
/// </summary>
public static class PyJson
{
    public static bool IsValid(string text)
    {
        var p = new Parser(text);
        p.SkipSpace();
        if (!p.Value()) return false;
        p.SkipSpace();
        return p.AtEnd;
    }

    private ref struct Parser(string text)
    {
        private readonly string _s = text;
        private int _i;

        public readonly bool AtEnd => _i == _s.Length;

        public void SkipSpace()
        {
            while (_i < _s.Length && _s[_i] is ' ' or '\t' or '\n' or '\r') _i++;
        }

        public bool Value()
        {
            if (_i >= _s.Length) return false;
            switch (_s[_i])
            {
                case '{': return Object();
                case '[': return Array();
                case '"': return String();
                case 'n': return Literal("null");
                case 't': return Literal("true");
                case 'f': return Literal("false");
                case 'N': return Literal("NaN");
                case 'I': return Literal("Infinity");
                case '-' when _i + 1 < _s.Length && _s[_i + 1] == 'I': _i++; return Literal("Infinity");
                default: return Number();
            }
        }

        private bool Literal(string word)
        {
            if (string.CompareOrdinal(_s, _i, word, 0, word.Length) != 0) return false;
            _i += word.Length;
            return true;
        }

        private bool Object()
        {
            _i++;
            SkipSpace();
            if (_i < _s.Length && _s[_i] == '}') { _i++; return true; }
            while (true)
            {
                SkipSpace();
                if (_i >= _s.Length || _s[_i] != '"' || !String()) return false;
                SkipSpace();
                if (_i >= _s.Length || _s[_i] != ':') return false;
                _i++;
                SkipSpace();
                if (!Value()) return false;
                SkipSpace();
                if (_i >= _s.Length) return false;
                if (_s[_i] == '}') { _i++; return true; }
                if (_s[_i] != ',') return false;
                _i++;
            }
        }

        private bool Array()
        {
            _i++;
            SkipSpace();
            if (_i < _s.Length && _s[_i] == ']') { _i++; return true; }
            while (true)
            {
                SkipSpace();
                if (!Value()) return false;
                SkipSpace();
                if (_i >= _s.Length) return false;
                if (_s[_i] == ']') { _i++; return true; }
                if (_s[_i] != ',') return false;
                _i++;
            }
        }

        private bool String()
        {
            _i++;
            while (_i < _s.Length)
            {
                var c = _s[_i++];
                if (c == '"') return true;
                if (c < ' ') return false;
                if (c != '\\') continue;
                if (_i >= _s.Length) return false;
                var e = _s[_i++];
                if (e is '"' or '\\' or '/' or 'b' or 'f' or 'n' or 'r' or 't') continue;
                if (e != 'u' || _i + 4 > _s.Length) return false;
                for (var k = 0; k < 4; k++)
                {
                    if (!char.IsAsciiHexDigit(_s[_i + k])) return false;
                }
                _i += 4;
            }
            return false;
        }

        private bool Number()
        {
            // -?(0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?
            if (_i < _s.Length && _s[_i] == '-') _i++;
            if (_i >= _s.Length || !char.IsAsciiDigit(_s[_i])) return false;
            if (_s[_i] == '0') _i++;
            else while (_i < _s.Length && char.IsAsciiDigit(_s[_i])) _i++;
            if (_i + 1 < _s.Length && _s[_i] == '.' && char.IsAsciiDigit(_s[_i + 1]))
            {
                _i++;
                while (_i < _s.Length && char.IsAsciiDigit(_s[_i])) _i++;
            }
            if (_i < _s.Length && _s[_i] is 'e' or 'E')
            {
                var save = _i;
                _i++;
                if (_i < _s.Length && _s[_i] is '+' or '-') _i++;
                if (_i < _s.Length && char.IsAsciiDigit(_s[_i]))
                {
                    while (_i < _s.Length && char.IsAsciiDigit(_s[_i])) _i++;
                }
                else
                {
                    _i = save; // Python's number regex stops before a bare "e"; the trailing text then fails.
                }
            }
            return true;
        }
    }
}
