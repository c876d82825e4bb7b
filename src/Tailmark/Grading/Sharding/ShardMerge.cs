using System.Text;
using Tailmark.Io;

namespace Tailmark.Grading.Sharding;

/// <summary>
/// Joins the graded rows of a sharded job's parts into the file one machine would have written: the parts' rows
/// interleaved back into input order, their bytes unchanged. The parts are checked first — each has its manifest and
/// the rows it describes, all come from the same input, settings, partition and part count, and every part is there
/// once — and any problem stops the merge before a byte is written.
/// </summary>
public static class ShardMerge
{
    /// <summary>A part's graded rows file and its manifest.</summary>
    public sealed record Part(string Path, ShardManifest Manifest);

    /// <summary>Reads and checks the parts; every problem found is reported together, with the file it concerns.</summary>
    /// <returns>The parts in part order.</returns>
    public static async Task<IReadOnlyList<Part>> CheckAsync(IReadOnlyList<string> paths, CancellationToken cancellationToken = default)
    {
        var issues = new List<InputIssue>();
        var parts = new List<Part>();
        foreach (var path in paths)
        {
            if (!File.Exists(path))
            {
                issues.Add(Error(path, null, "file not found"));
                continue;
            }
            var manifestPath = ShardManifest.PathFor(path);
            if (!File.Exists(manifestPath))
            {
                issues.Add(Error(path, null,
                    $"no shard manifest beside it ({System.IO.Path.GetFileName(manifestPath)}): merge joins the outputs of `tailmark grade --shard I/N`, " +
                        $"each with its manifest"));
                continue;
            }
            ShardManifest manifest;
            try
            {
                manifest = ShardManifest.Read(manifestPath);
            }
            catch (InputException ex)
            {
                issues.AddRange(ex.Issues);
                continue;
            }
            if (await ShardManifest.Sha256Async(path, cancellationToken).ConfigureAwait(false) != manifest.OutputSha256)
            {
                issues.Add(Error(path, null,
                    $"the rows differ from those {System.IO.Path.GetFileName(manifestPath)} describes (changed or cut short since the part was graded): " +
                        $"grade part {manifest.Shard} again"));
                continue;
            }
            parts.Add(new Part(path, manifest));
        }
        if (parts.Count > 0) CheckTogether(parts, issues);
        if (issues.Count > 0) throw new InputException(issues);
        return [.. parts.OrderBy(p => p.Manifest.Shard.Index)];
    }

    /// <summary>
    /// Writes the parts' rows to OUTPUT in input order and calls ONROW with each row's text as it goes.
    /// </summary>
    /// <returns>The rows written.</returns>
    public static async Task<int> WriteAsync(IReadOnlyList<Part> parts, string output, Action<string>? onRow = null,
        CancellationToken cancellationToken = default)
    {
        var readers = parts.Select(p =>
            new StreamReader(p.Path, new UTF8Encoding(false, throwOnInvalidBytes: true), detectEncodingFromByteOrderMarks: false)).ToList();
        try
        {
            var next = new int[parts.Count];
            var written = 0;
            await using var stream = new FileStream(output, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
            await using var writer = new StreamWriter(stream, new UTF8Encoding(false)) { NewLine = "\n" };
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var from = -1;
                for (var p = 0; p < parts.Count; p++)
                {
                    var lines = parts[p].Manifest.Lines;
                    if (next[p] < lines.Count && (from < 0 || lines[next[p]] < parts[from].Manifest.Lines[next[from]])) from = p;
                }
                if (from < 0) break;
                var row = await readers[from].ReadLineAsync(cancellationToken).ConfigureAwait(false)
                    ?? throw new InputException(parts[from].Path, null, null,
                        $"ends after {next[from]} rows; its manifest lists {parts[from].Manifest.Lines.Count}");
                next[from]++;
                await writer.WriteLineAsync(row.AsMemory(), cancellationToken).ConfigureAwait(false);
                onRow?.Invoke(row);
                written++;
            }
            return written;
        }
        finally
        {
            foreach (var reader in readers) reader.Dispose();
        }
    }

    private static void CheckTogether(List<Part> parts, List<InputIssue> issues)
    {
        var first = parts[0];
        var reference = first.Manifest;
        var consistent = true;
        foreach (var part in parts.Skip(1))
        {
            var m = part.Manifest;
            var also = $"(part {reference.Shard} in {first.Path} says";
            var setting = DifferingSetting(m, reference);
            string? problem =
                m.Partition != reference.Partition
                    ? $"cut by partition rule {m.Partition} {also} {reference.Partition}): grade every part with the same tailmark version" :
                m.Shard.Count != reference.Shard.Count ? $"part {m.Shard} of a job in {m.Shard.Count} parts {also} {reference.Shard.Count} parts)" :
                m.InputSha256 != reference.InputSha256
                    || m.InputRows != reference.InputRows
                        ? $"graded from another response file (SHA-256 {m.InputSha256[..Math.Min(12, m.InputSha256.Length)]}…, {m.InputRows} rows {also} " +
                            $"{reference.InputSha256[..Math.Min(12, reference.InputSha256.Length)]}…, {reference.InputRows} rows)" :
                setting is not null ? $"graded with other settings: {setting} {SettingValue(m, setting)} {also} {SettingValue(reference, setting)})" :
                m.ClipRunMean != reference.ClipRunMean ? $"clip_run_mean {m.ClipRunMean} {also} {reference.ClipRunMean})" :
                null;
            if (problem is null) continue;
            consistent = false;
            issues.Add(Error(part.Path, null, problem));
        }
        foreach (var twice in parts.GroupBy(p => p.Manifest.Shard.Index).Where(g => g.Count() > 1))
        {
            foreach (var again in twice.Skip(1)) issues.Add(Error(again.Path, "part",
                $"part {again.Manifest.Shard} again (also {twice.First().Path}): give each part once"));
        }
        if (!consistent) return;
        var count = reference.Shard.Count;
        var given = parts.Select(p => p.Manifest.Shard.Index).ToHashSet();
        var missing = Enumerable.Range(1, count).Where(i => !given.Contains(i)).ToList();
        if (missing.Count > 0)
        {
            issues.Add(Error(first.Path, null,
                $"part{(missing.Count > 1 ? "s" : "")} {string.Join(", ", missing.Select(i => $"{i}/{count}"))} missing: merge needs all {count} parts of " +
                    $"the job (given: {string.Join(", ", given.Order().Select(i => $"{i}/{count}"))})"));
            return;
        }
        var graded = parts.DistinctBy(p => p.Manifest.Shard.Index).Sum(p => p.Manifest.Lines.Count);
        if (issues.Count == 0 && graded != reference.InputRows)
        {
            issues.Add(Error(first.Path, null, $"the parts hold {graded} rows but the input has {reference.InputRows}"));
        }
    }

    /// <summary>The first setting (by name) that differs between two parts.</summary>
    private static string? DifferingSetting(ShardManifest m, ShardManifest reference) =>
        m.Settings.Keys.Union(reference.Settings.Keys).Order(StringComparer.Ordinal)
            .FirstOrDefault(k => m.Settings.GetValueOrDefault(k) != reference.Settings.GetValueOrDefault(k));

    private static string SettingValue(ShardManifest m, string name) => m.Settings.TryGetValue(name, out var v) ? $"'{v}'" : "(not set)";

    private static InputIssue Error(string file, string? field, string message) =>
        new(IssueSeverity.Error, file, null, field, message);
}
