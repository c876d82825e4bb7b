namespace Tailmark.Io;

/// <summary>
/// Replaces known secrets — the API keys of the endpoints a command loaded, the variables that hold them,
/// <c>OPENAI_API_KEY</c> — by <c>[redacted]</c> in text Tailmark writes: judge reasons and diagnostics (an endpoint's
/// error body can echo the key it was sent), refinement problems, and the CLI's log lines. Only exact occurrences
/// are found; values shorter than <see cref="MinLength"/> characters are not treated as secrets (local servers take
/// keys such as "EMPTY", which must not be cut out of ordinary text). Thread-safe; secrets can be added as
/// endpoints load.
/// </summary>
public sealed class SecretRedactor
{
    public const int MinLength = 12;
    public const string Mask = "[redacted]";

    private volatile string[] _secrets = [];
    private readonly Lock _lock = new();

    /// <summary>A redactor knowing <c>OPENAI_API_KEY</c>, if it is set.</summary>
    public static SecretRedactor FromEnvironment()
    {
        var redactor = new SecretRedactor();
        redactor.Add(Environment.GetEnvironmentVariable("OPENAI_API_KEY"));
        return redactor;
    }

    public bool IsEmpty => _secrets.Length == 0;

    public void Add(string? secret)
    {
        if (secret is null || secret.Trim().Length < MinLength) return;
        lock (_lock)
        {
            if (_secrets.Contains(secret, StringComparer.Ordinal)) return;
            // Longest first, so a key that contains another is masked whole.
            _secrets = [.. _secrets.Append(secret).OrderByDescending(s => s.Length)];
        }
    }

    public string Redact(string text)
    {
        var secrets = _secrets;
        foreach (var s in secrets)
        {
            if (text.Contains(s, StringComparison.Ordinal)) text = text.Replace(s, Mask, StringComparison.Ordinal);
        }
        return text;
    }

    /// <summary>Null stays null.</summary>
    public string? RedactOrNull(string? text) => text is null ? null : Redact(text);
}
