using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Tailmark.Io;
using Tailmark.Rubrics;

namespace Tailmark.Building.Online;

/// <summary>
/// The online versions of rubrics, kept on disk so that a restarted server goes on with the versions it had: one
/// JSON line per <see cref="RubricVersionEvent"/>, appended and flushed to the disk before the version is used (a
/// version a reward was scored with is never lost). Loading replays the lines; a damaged line (a write cut short by a
/// kill) is reported with its file and line and skipped, and the rest is read. One server writes a log at a time.
/// </summary>
public sealed class RubricVersionLog : IDisposable
{
    /// <summary>The file inside the directory given to <c>--refine-dir</c>.</summary>
    public const string FileName = "rubric-versions.jsonl";

    private readonly FileStream? _file;
    private readonly Lock _lock = new();

    private RubricVersionLog(FileStream? file, IReadOnlyList<RubricVersionEvent> events, IReadOnlyList<string> problems)
    {
        _file = file;
        Events = events;
        Problems = problems;
    }

    /// <summary>The events read when the log was opened, in file order.</summary>
    public IReadOnlyList<RubricVersionEvent> Events { get; }

    /// <summary>Lines that could not be read (file:line: why), for the caller to warn about.</summary>
    public IReadOnlyList<string> Problems { get; }

    public string? Path => _file?.Name;

    /// <summary>A log kept in memory only (tests, and the experiment when asked not to keep files).</summary>
    public static RubricVersionLog InMemory() => new(null, [], []);

    /// <summary>Opens (creating) <see cref="FileName"/> in <paramref name="directory"/> and reads what it holds.</summary>
    public static RubricVersionLog Open(string directory)
    {
        Directory.CreateDirectory(directory);
        var path = System.IO.Path.Combine(directory, FileName);
        var events = new List<RubricVersionEvent>();
        var problems = new List<string>();
        if (File.Exists(path))
        {
            var n = 0;
            foreach (var line in File.ReadLines(path))
            {
                n++;
                if (line.Length == 0) continue;
                try
                {
                    using var doc = JsonDocument.Parse(line);
                    if (Read(doc.RootElement, path, n, out var problem) is { } e) events.Add(e);
                    else problems.Add($"{path}:{n}: {problem}");
                }
                catch (JsonException ex)
                {
                    problems.Add($"{path}:{n}: not JSON ({ex.Message})");
                }
            }
        }
        var unterminated = File.Exists(path) && new FileInfo(path).Length > 0 && LastByte(path) != (byte)'\n';
        // One writer per log: a second server on the same directory is refused (it would interleave versions).
        var file = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.None);
        if (unterminated)
        {
            // A line a kill cut short: end it, so the next event starts a line of its own (the damaged one stays skipped).
            file.WriteByte((byte)'\n');
            file.Flush(flushToDisk: true);
        }
        return new RubricVersionLog(file, events, problems);
    }

    private static int LastByte(string path)
    {
        using var read = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        read.Seek(-1, SeekOrigin.End);
        return read.ReadByte();
    }

    /// <summary>Appends an event and flushes it to the disk.</summary>
    public void Append(RubricVersionEvent e)
    {
        if (_file is null) return;
        var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer)) Write(w, e);
        buffer.WriteByte((byte)'\n');
        lock (_lock)
        {
            _file.Write(buffer.GetBuffer(), 0, (int)buffer.Length);
            _file.Flush(flushToDisk: true);
        }
    }

    /// <summary>The digest of a rubric as given (its JSON), which versions written over it carry.</summary>
    public static string Digest(Rubric rubric) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(RubricJsonWriter.ToJson(rubric))))[..16];

    public static void Write(Utf8JsonWriter w, RubricVersionEvent e, bool withRubric = true)
    {
        w.WriteStartObject();
        w.WriteString("kind", e.Kind);
        w.WriteString("rubric_id", e.RubricId);
        w.WriteNumber("version", e.Version);
        if (e.From is { } from) w.WriteNumber("from", from);
        w.WriteString("at", e.At.ToString("O", CultureInfo.InvariantCulture));
        w.WriteString("base_digest", e.BaseDigest);
        if (e.Trigger is not null) w.WriteString("trigger", e.Trigger);
        if (e.Reason is not null) w.WriteString("reason", e.Reason);
        if (e.ResponseA is not null) w.WriteString("response_a", e.ResponseA);
        if (e.ResponseB is not null) w.WriteString("response_b", e.ResponseB);
        if (withRubric && e.Rubric is not null)
        {
            w.WritePropertyName("rubric");
            RubricJsonWriter.Write(w, e.Rubric);
        }
        w.WriteEndObject();
    }

    private static RubricVersionEvent? Read(JsonElement json, string file, int line, out string? problem)
    {
        problem = null;
        var log = new IssueLog(file, line);
        if (json.ValueKind != JsonValueKind.Object)
        {
            problem = "expected an object";
            return null;
        }
        var f = new JsonFieldReader(json, "", log);
        var kind = f.String("kind", required: true);
        var id = f.String("rubric_id", required: true);
        var version = f.Integer("version");
        var from = f.Integer("from");
        var at = f.String("at", required: true);
        var digest = f.String("base_digest", required: true);
        var rubric = f.Raw("rubric") is { } r ? RubricJsonReader.Read(r, log, "rubric") : null;
        if (kind is not (RubricVersionEvent.NewVersion or RubricVersionEvent.Rejected or RubricVersionEvent.RolledBack))
        {
            log.Error("kind", $"expected version, rejected or rollback, not \"{kind}\"");
        }
        if (version is null) log.Error("version", "required");
        if (kind == RubricVersionEvent.NewVersion && rubric is null) log.Error("rubric", "a version event carries its rubric");
        if (!DateTimeOffset.TryParse(at, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var when)) log.Error("at", "not a timestamp");
        if (log.HasErrors)
        {
            problem = string.Join("; ", log.Issues.Where(i => i.IsError).Select(i => $"{i.Field}: {i.Message}"));
            return null;
        }
        return new RubricVersionEvent(kind!, id!, (int)version!.Value, from is null ? null : (int)from.Value, when, digest!)
        {
            Trigger = f.String("trigger"),
            Reason = f.String("reason"),
            ResponseA = f.String("response_a"),
            ResponseB = f.String("response_b"),
            Rubric = rubric,
        };
    }

    public void Dispose() => _file?.Dispose();
}
