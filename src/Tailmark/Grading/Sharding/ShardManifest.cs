using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Tailmark.Io;

namespace Tailmark.Grading.Sharding;

/// <summary>
/// The sidecar a part of a sharded grading job writes beside its graded rows (<c>OUT.shard.json</c>): which part of
/// which input under which settings it is, the input line of each row it wrote, a digest of those rows, and the part's
/// run summary. The rows themselves keep their pinned shape; the merge reads the provenance from here.
/// </summary>
/// <param name="Shard">Which part, of how many.</param>
/// <param name="Partition">The partition rule (<see cref="ShardPlan.Rule"/>).</param>
/// <param name="InputSha256">SHA-256 of the response file's bytes.</param>
/// <param name="InputRows">The input's rows (non-blank lines), over all parts.</param>
/// <param name="Settings">Everything that decides a row's bytes, by option: values, or digests of the files they name.</param>
/// <param name="OutputSha256">SHA-256 of the part's graded rows file, as written.</param>
/// <param name="Lines">The input line of each graded row, in the order written.</param>
/// <param name="ClipRunMean">Whether the run mean is clipped to [0, 1] (the scoring's <c>run_mean</c>), for the merged summary.</param>
/// <param name="Summary">The part's run summary, in the shape of <c>grade --summary</c>.</param>
public sealed record ShardManifest(
    ShardSpec Shard, string Partition, string InputSha256, int InputRows, IReadOnlyDictionary<string, string> Settings,
    string OutputSha256, IReadOnlyList<int> Lines, bool ClipRunMean, JsonElement Summary)
{
    /// <summary>The format's name and version, the manifest's first field.</summary>
    public const string Format = "tailmark-shard/1";

    /// <summary><c>graded.jsonl</c> → <c>graded.jsonl.shard.json</c>, beside it.</summary>
    public static string PathFor(string output) => output + ".shard.json";

    /// <summary>Lower-case hex SHA-256 of a file's bytes.</summary>
    public static async Task<string> Sha256Async(string path, CancellationToken cancellationToken = default)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false));
    }

    public Task WriteAsync(string path, CancellationToken cancellationToken = default)
    {
        var json = JsonOutput.Render(w =>
        {
            w.WriteStartObject();
            w.WriteString("format", Format);
            w.WriteNumber("part", Shard.Index);
            w.WriteNumber("parts", Shard.Count);
            w.WriteString("partition", Partition);
            w.WriteStartObject("input");
            w.WriteString("sha256", InputSha256);
            w.WriteNumber("rows", InputRows);
            w.WriteEndObject();
            w.WriteStartObject("settings");
            foreach (var (name, value) in Settings.OrderBy(kv => kv.Key, StringComparer.Ordinal)) w.WriteString(name, value);
            w.WriteEndObject();
            w.WriteBoolean("clip_run_mean", ClipRunMean);
            w.WriteStartObject("output");
            w.WriteString("sha256", OutputSha256);
            w.WriteNumber("rows", Lines.Count);
            w.WriteStartArray("lines");
            foreach (var line in Lines) w.WriteNumberValue(line);
            w.WriteEndArray();
            w.WriteEndObject();
            w.WritePropertyName("summary");
            Summary.WriteTo(w);
            w.WriteEndObject();
        });
        return JsonRowSink.WriteTextAsync(path, json + "\n", cancellationToken);
    }

    /// <summary>Reads a manifest; every problem is an <see cref="InputException"/> naming the file and the field.</summary>
    public static ShardManifest Read(string path)
    {
        if (!File.Exists(path)) throw new InputException(path, null, null, "file not found");
        JsonElement root;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
            root = doc.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            throw new InputException(path, null, null, $"not a shard manifest: {JsonlReader.Describe(ex)}");
        }
        if (root.ValueKind != JsonValueKind.Object) throw Bad(path, null, "not a shard manifest: the file is not a JSON object");
        var format = Text(path, root, "format");
        if (format != Format) throw Bad(path, "format", $"written by another version of tailmark ('{format}', this one reads '{Format}')");
        ShardSpec shard;
        try
        {
            shard = new ShardSpec(Number(path, root, "part"), Number(path, root, "parts"));
        }
        catch (FormatException ex)
        {
            throw Bad(path, "part", ex.Message.Replace("--shard wants", "a part is", StringComparison.Ordinal));
        }
        var input = Object(path, root, "input");
        var output = Object(path, root, "output");
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var setting in Object(path, root, "settings").EnumerateObject())
        {
            settings[setting.Name] = setting.Value.ValueKind == JsonValueKind.String ? setting.Value.GetString()! : throw Bad(path, $"settings.{setting.Name}",
                "not a string");
        }
        if (!output.TryGetProperty("lines", out var linesJson) || linesJson.ValueKind != JsonValueKind.Array) throw Bad(path, "output.lines",
            "missing or not an array");
        var lines = new List<int>(linesJson.GetArrayLength());
        foreach (var line in linesJson.EnumerateArray())
        {
            if (line.ValueKind != JsonValueKind.Number || !line.TryGetInt32(out var n) || n < 1) throw Bad(path, "output.lines",
                $"not a line number: {line.GetRawText()}");
            if (lines.Count > 0 && n <= lines[^1]) throw Bad(path, "output.lines", $"not in input order at {n.ToString(CultureInfo.InvariantCulture)}");
            lines.Add(n);
        }
        if (Number(path, output, "rows", "output.rows") != lines.Count) throw Bad(path, "output.rows",
            $"says {Number(path, output, "rows", "output.rows")} rows but lists {lines.Count} lines");
        var clip = root.TryGetProperty("clip_run_mean", out var c) && c.ValueKind is JsonValueKind.True or JsonValueKind.False
            ? c.GetBoolean() : throw Bad(path, "clip_run_mean", "missing or not true/false");
        if (!root.TryGetProperty("summary", out var summary) || summary.ValueKind != JsonValueKind.Object) throw Bad(path, "summary",
            "missing or not an object");
        return new ShardManifest(shard, Text(path, root, "partition"), Text(path, input, "sha256", "input.sha256"), Number(path, input, "rows", "input.rows"),
            settings, Text(path, output, "sha256", "output.sha256"), lines, clip, summary);
    }

    private static InputException Bad(string path, string? field, string message) => new(path, null, field, message);

    private static JsonElement Object(string path, JsonElement parent, string name) =>
        parent.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Object ? v : throw Bad(path, name, "missing or not an object");

    private static string Text(string path, JsonElement parent, string name, string? field = null) =>
        parent.TryGetProperty(name, out var v)
            && v.ValueKind == JsonValueKind.String ? v.GetString()! : throw Bad(path, field ?? name, "missing or not a string");

    private static int Number(string path, JsonElement parent, string name, string? field = null) =>
        parent.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var n) && n >= 0
            ? n : throw Bad(path, field ?? name, "missing or not a count");
}
