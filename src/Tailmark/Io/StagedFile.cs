using System.Diagnostics;

namespace Tailmark.Io;

/// <summary>
/// A file written beside its target under a temporary name (<c>TARGET.tmp-PID-GUID.EXT</c>, the extension kept so
/// that writers choosing a layout by extension choose the target's), then either moved over the target
/// (<see cref="Commit"/>), kept under another name (<see cref="KeepAs"/>), or deleted when disposed. Whatever
/// happens — an error, a full disk, a cancelled run — the target holds its previous content until a commit, and
/// no temporary file stays behind. A process killed outright leaves one; the next write to the same target
/// deletes it (its process is gone, or started after the file was last written).
/// </summary>
public sealed class StagedFile : IDisposable
{
    private const string Marker = ".tmp-";
    private bool _done;

    private StagedFile(string target, string path)
    {
        Target = target;
        Path = path;
    }

    /// <summary>The target's full path.</summary>
    public string Target { get; }

    /// <summary>Where to write.</summary>
    public string Path { get; }

    /// <summary>The file a (possibly nested) stage stands for: <c>out.jsonl.tmp-1-ab.jsonl</c> → <c>out.jsonl</c>.</summary>
    public static string TargetOf(string path)
    {
        var cut = path.IndexOf(Marker, StringComparison.Ordinal);
        return cut > 0 ? path[..cut] : path;
    }

    /// <summary>Stages a write to <paramref name="target"/>, creating its folder and removing stale stages of it.</summary>
    public static StagedFile For(string target)
    {
        var full = System.IO.Path.GetFullPath(target);
        var dir = System.IO.Path.GetDirectoryName(full);
        if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
        RemoveStale(full);
        return new StagedFile(full, $"{full}{Marker}{Environment.ProcessId}-{Guid.NewGuid():N}{System.IO.Path.GetExtension(full)}");
    }

    /// <summary>Moves the staged file over the target.</summary>
    public void Commit() => Finish(Target);

    /// <summary>Moves the staged file to <paramref name="path"/> instead (replacing an older file there); the target stays as it was.</summary>
    public void KeepAs(string path) => Finish(System.IO.Path.GetFullPath(path));

    private void Finish(string destination)
    {
        if (_done) throw new InvalidOperationException("the staged file was already committed, kept or discarded");
        File.Move(Path, destination, overwrite: true);
        _done = true;
    }

    public void Dispose()
    {
        if (_done) return;
        _done = true;
        try
        {
            File.Delete(Path);
        }
        catch (IOException)
        {
            // Deleting is tidying up after a failure already being reported; the next write removes the file.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    /// <summary>Deletes the stages of <paramref name="target"/> that a killed process left.</summary>
    private static void RemoveStale(string target)
    {
        var dir = System.IO.Path.GetDirectoryName(target);
        if (string.IsNullOrEmpty(dir) || !Directory.Exists(dir)) return;
        var prefix = System.IO.Path.GetFileName(target) + Marker;
        foreach (var file in Directory.EnumerateFiles(dir, prefix + "*"))
        {
            var rest = System.IO.Path.GetFileName(file)[prefix.Length..];
            var dash = rest.IndexOf('-', StringComparison.Ordinal);
            if (dash <= 0 || !int.TryParse(rest[..dash], out var pid) || IsLive(pid, File.GetLastWriteTimeUtc(file))) continue;
            try
            {
                File.Delete(file);
            }
            catch (IOException)
            {
                // Another process may be removing it too.
            }
        }
    }

    /// <summary>Whether a process that may still be writing the file runs: one with its id, started before the file was last written.</summary>
    private static bool IsLive(int pid, DateTime lastWriteUtc)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return process.StartTime.ToUniversalTime() <= lastWriteUtc.AddSeconds(1);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException)
        {
            return false;
        }
    }
}
