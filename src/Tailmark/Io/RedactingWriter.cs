using System.Text;

namespace Tailmark.Io;

/// <summary>
/// A text writer that passes whole lines (ended by a newline or a carriage return) through a
/// <see cref="SecretRedactor"/> before they reach the writer it wraps, so a secret is never split across two writes.
/// </summary>
public sealed class RedactingWriter(TextWriter inner, SecretRedactor redactor) : TextWriter
{
    private readonly StringBuilder _pending = new();
    private readonly Lock _lock = new();

    public override Encoding Encoding => inner.Encoding;

    public override void Write(char value)
    {
        lock (_lock)
        {
            _pending.Append(value);
            if (value is '\n' or '\r') Pass();
        }
    }

    public override void Write(string? value)
    {
        if (value is null) return;
        lock (_lock)
        {
            _pending.Append(value);
            if (value.AsSpan().IndexOfAny('\n', '\r') >= 0) Pass();
        }
    }

    public override void Write(char[] buffer, int index, int count) => Write(new string(buffer, index, count));

    public override void Flush()
    {
        lock (_lock)
        {
            if (_pending.Length > 0) inner.Write(redactor.Redact(_pending.ToString()));
            _pending.Clear();
            inner.Flush();
        }
    }

    // Writes what is complete (up to the last line end) and keeps the rest for the next write.
    private void Pass()
    {
        var text = _pending.ToString();
        var end = text.LastIndexOfAny(['\n', '\r']) + 1;
        inner.Write(redactor.Redact(text[..end]));
        _pending.Clear().Append(text[end..]);
        inner.Flush();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) Flush();
        base.Dispose(disposing);
    }
}
