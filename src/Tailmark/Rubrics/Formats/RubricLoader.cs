using Tailmark.Io;

namespace Tailmark.Rubrics.Formats;

/// <summary>
/// Loads every rubric of a file into memory by id (rubrics are small next to responses and verdicts), failing
/// with every located issue when any row has an error or two rubrics share an id.
/// </summary>
public static class RubricLoader
{
    public static async Task<IReadOnlyDictionary<string, Rubric>> LoadAsync(
        string path, IRubricFormat? format = null, CancellationToken cancellationToken = default)
    {
        format ??= RubricFormats.Guess(path);
        var byId = new Dictionary<string, Rubric>(StringComparer.Ordinal);
        var errors = new List<InputIssue>();
        await foreach (var row in format.ReadAsync(path, cancellationToken).ConfigureAwait(false))
        {
            errors.AddRange(row.Issues.Where(i => i.IsError));
            if (row.HasErrors || row.Rubric is null) continue;
            if (!byId.TryAdd(row.Rubric.Id, row.Rubric))
            {
                var line = row.Line;
                errors.Add(new InputIssue(IssueSeverity.Error, path, line, "rubric_id", $"duplicate rubric id \"{row.Rubric.Id}\""));
            }
        }
        if (errors.Count > 0) throw new InputException(errors);
        return byId;
    }
}
