using System.Text.Json;

namespace Tailmark.Io;

/// <summary>
/// Parses one JSON text of an input file within <see cref="InputLimits"/>, with the checks the parser leaves to its
/// caller: a key given twice in one object is a warning (the last value counts, as it does for every reader), and a
/// string holding half of a UTF-16 surrogate pair (<c>"\ud800"</c>, which no reader could turn into text) is an error
/// naming its field.
/// </summary>
public static class JsonInput
{
    private static readonly JsonDocumentOptions AllowingDuplicates = new() { MaxDepth = InputLimits.MaxDepth, AllowDuplicateProperties = true };

    /// <summary>The parsed root, or the error as "malformed JSON (column N): ..." with the line within the text (1-based).</summary>
    public sealed record Result(JsonElement? Root, string? Error, int? ErrorLine);

    public static Result Parse(string text, string file, int? line)
    {
        JsonElement root;
        try
        {
            using var doc = JsonDocument.Parse(text, InputLimits.Input);
            root = doc.RootElement.Clone();
        }
        catch (JsonException)
        {
            // Either malformed, or only a repeated key (which the strict parse refuses): the lenient parse tells which.
            try
            {
                using var doc = JsonDocument.Parse(text, AllowingDuplicates);
                root = doc.RootElement.Clone();
            }
            catch (JsonException ex)
            {
                return new Result(null, JsonlReader.Describe(ex), ex.LineNumber is { } l ? (int)l + 1 : null);
            }
            foreach (var field in RepeatedKeys(root, ""))
            {
                InputWarnings.Report(file, line, field, "this key is given more than once in its object; the last value is used");
            }
        }
        if (text.Contains("\\u", StringComparison.Ordinal) && BrokenString(root, "") is { } broken)
        {
            return new Result(null, $"malformed JSON: {(broken.Length > 0 ? broken + ": " : "")}a string holds half of a UTF-16 surrogate pair " +
                $"(\\uD800-\\uDFFF escaped alone)", null);
        }
        return new Result(root, null, null);
    }

    private static IEnumerable<string> RepeatedKeys(JsonElement e, string path)
    {
        if (e.ValueKind == JsonValueKind.Object)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var reported = new HashSet<string>(StringComparer.Ordinal);
            foreach (var p in e.EnumerateObject())
            {
                var child = Child(path, p.Name);
                if (!seen.Add(p.Name) && reported.Add(p.Name)) yield return child;
                foreach (var inner in RepeatedKeys(p.Value, child)) yield return inner;
            }
        }
        else if (e.ValueKind == JsonValueKind.Array)
        {
            var i = 0;
            foreach (var item in e.EnumerateArray())
            {
                foreach (var inner in RepeatedKeys(item, $"{path}[{i}]")) yield return inner;
                i++;
            }
        }
    }

    /// <summary>The path of the first key or string value that cannot be read as text, or null.</summary>
    private static string? BrokenString(JsonElement e, string path)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.String:
                return Readable(() => e.GetString()) ? null : path;
            case JsonValueKind.Object:
                foreach (var p in e.EnumerateObject())
                {
                    if (!Readable(() => p.Name)) return path.Length == 0 ? "(a key)" : $"{path}.(a key)";
                    if (BrokenString(p.Value, Child(path, p.Name)) is { } inner) return inner;
                }
                return null;
            case JsonValueKind.Array:
                var i = 0;
                foreach (var item in e.EnumerateArray())
                {
                    if (BrokenString(item, $"{path}[{i++}]") is { } inner) return inner;
                }
                return null;
            default:
                return null;
        }
    }

    private static bool Readable(Func<string?> read)
    {
        try
        {
            read();
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static string Child(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";
}
