using System.Text.Json;
using Tailmark.Io;

namespace Tailmark.Building.Hacks;

/// <summary>
/// The reward server's audit cases as saved from <c>GET /v1/audit/cases</c>: the suspected hacks (rollouts the training
/// judge rewarded far above the reference judge) and the good rollouts. Read with every problem located.
/// </summary>
public sealed record AuditCasesFile(IReadOnlyList<HackCase> Suspected, IReadOnlyList<HackCase> Good)
{
    /// <exception cref="InputException">The file is not the cases' JSON: every problem named with its field.</exception>
    public static async Task<AuditCasesFile> LoadAsync(string path, CancellationToken ct = default)
    {
        string text;
        try
        {
            text = await File.ReadAllTextAsync(path, ct).ConfigureAwait(false);
        }
        catch (FileNotFoundException)
        {
            throw new InputException(path, null, null, "file not found (save GET /v1/audit/cases of a server run with --audit-judge)");
        }
        var parsed = JsonInput.Parse(text, path, null);
        if (parsed.Root is not { ValueKind: JsonValueKind.Object } root)
        {
            throw new InputException(path, parsed.ErrorLine, null, parsed.Error ?? "expected the object GET /v1/audit/cases returns");
        }
        var log = new IssueLog(path);
        var f = new JsonFieldReader(root, "", log);
        var suspected = Cases(f, "disagreements", log);
        var good = Cases(f, "good", log);
        f.Rest(quiet: true);
        if (log.HasErrors) throw new InputException(log.Issues);
        return new AuditCasesFile(suspected, good);
    }

    private static List<HackCase> Cases(JsonFieldReader f, string name, IssueLog log)
    {
        var list = new List<HackCase>();
        if (f.Array(name, required: true) is not { } items) return list;
        var i = 0;
        foreach (var item in items.EnumerateArray())
        {
            var path = $"{name}[{i++}]";
            if (item.ValueKind != JsonValueKind.Object)
            {
                log.Error(path, $"expected a case object, found {JsonFieldReader.Describe(item)}");
                continue;
            }
            var c = new JsonFieldReader(item, path, log);
            var prompt = c.String("prompt_id", required: true);
            var response = c.String("response", required: true);
            var training = c.Number("training_reward", required: true);
            var reference = c.Number("reference_reward", required: true);
            c.Rest(quiet: true);
            if (prompt is not null && response is not null && training is { } t && reference is { } r) list.Add(new HackCase(prompt, response, t, r));
        }
        return list;
    }
}
