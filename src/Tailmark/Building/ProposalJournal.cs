using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Tailmark.Io;
using Tailmark.Rubrics;

namespace Tailmark.Building;

/// <summary>
/// <c>propose</c>'s checkpoint: every successful proposal is appended (and flushed) to a journal beside the output as
/// it arrives, keyed by what was asked — the proposer's identity, its prompt version and the exact question (the
/// prompt, and the reference answer when shown) — so a killed run's rerun reuses them instead of asking again. Failed
/// proposals are not kept: a rerun retries them. The journal is deleted once the output is written. A line it cannot
/// read (a torn last line, a damaged file) is skipped with a warning; its proposal is asked again.
/// </summary>
public sealed class ProposalJournal : IDisposable
{
    private readonly Dictionary<string, Rubric> _done = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private StreamWriter? _writer;

    public ProposalJournal(string path)
    {
        Path = path;
        if (File.Exists(path)) Load();
    }

    public string Path { get; }

    /// <summary>The content address of a proposal: who was asked, with which prompt version, and the question.</summary>
    public static string Key(string proposerIdentity, PromptRow prompt, bool withReference)
    {
        var question = ProposerPrompts.Initial(Judging.JudgePrompts.Conversation(prompt.Prompt), withReference ? prompt.ReferenceAnswer : null);
        var text = string.Join('\n', ProposerPrompts.Version, proposerIdentity, prompt.PromptId, question);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    /// <summary>The rubric proposed for <paramref name="key"/> by an earlier, unfinished run, or null.</summary>
    public Rubric? Find(string key)
    {
        lock (_lock) return _done.GetValueOrDefault(key);
    }

    /// <summary>Records a successful proposal, on disk before this returns.</summary>
    public void Add(string key, Rubric rubric)
    {
        var line = JsonOutput.Render(w =>
        {
            w.WriteStartObject();
            w.WriteString("key", key);
            w.WritePropertyName("rubric");
            RubricJsonWriter.Write(w, rubric);
            w.WriteEndObject();
        });
        lock (_lock)
        {
            _writer ??= new StreamWriter(new FileStream(Path, FileMode.Append, FileAccess.Write, FileShare.Read), new UTF8Encoding(false));
            _writer.Write(line + "\n");
            _writer.Flush();
            _done[key] = rubric;
        }
    }

    /// <summary>The output is written: the journal has served.</summary>
    public void Complete()
    {
        lock (_lock)
        {
            _writer?.Dispose();
            _writer = null;
            File.Delete(Path);
        }
    }

    private void Load()
    {
        var number = 0;
        var endsWithNewline = true;
        using (var reader = JsonlReader.OpenText(Path))
        {
            var text = reader.ReadToEnd();
            endsWithNewline = text.Length == 0 || text.EndsWith('\n');
            foreach (var raw in text.Split('\n'))
            {
                number++;
                if (string.IsNullOrWhiteSpace(raw)) continue;
                var line = JsonlReader.Parse(number, raw, Path);
                var log = new IssueLog(Path, number);
                Rubric? rubric = null;
                string? key = null;
                if (line.Json is { ValueKind: JsonValueKind.Object } json)
                {
                    var f = new JsonFieldReader(json, "", log);
                    key = f.String("key", required: true);
                    rubric = f.Raw("rubric") is { } r ? RubricJsonReader.Read(r, log, "rubric") : null;
                    if (rubric is not null) RubricValidator.Validate(rubric, log, "rubric");
                }
                if (key is null || rubric is null || log.HasErrors)
                {
                    InputWarnings.Report(Path, number, null,
                        "not a proposal this journal can reuse (cut short by a killed run?); that prompt is proposed again");
                    continue;
                }
                _done[key] = rubric;
            }
        }
        // The next append must start a line of its own.
        if (!endsWithNewline) File.AppendAllText(Path, "\n");
    }

    public void Dispose()
    {
        lock (_lock) _writer?.Dispose();
    }
}
