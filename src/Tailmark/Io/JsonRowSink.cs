using System.Text;
using System.Text.Json;

namespace Tailmark.Io;

/// <summary>
/// Writes rows to a file: a <c>.json</c> path gets one indented JSON array, anything else JSONL. Output goes
/// to a temporary file renamed into place at the end, so an interrupted run never leaves half a file behind.
/// </summary>
public static class JsonRowSink
{
    public static async Task<int> WriteAsync<T>(
        IAsyncEnumerable<T> rows, string path, Action<Utf8JsonWriter, T> write, CancellationToken cancellationToken = default)
    {
        var whole = path.EndsWith(".json", StringComparison.OrdinalIgnoreCase);
        var count = 0;
        await using (var output = AtomicFile.Create(path, out var commit))
        {
            using var writer = new Utf8JsonWriter(output, whole ? JsonOutput.Indented : JsonOutput.Compact);
            if (whole) writer.WriteStartArray();
            await foreach (var row in rows.WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                write(writer, row);
                count++;
                if (!whole)
                {
                    await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
                    output.WriteByte((byte)'\n');
                    writer.Reset();
                }
            }
            if (whole) writer.WriteEndArray();
            await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
            if (whole) output.WriteByte((byte)'\n');
            await output.FlushAsync(cancellationToken).ConfigureAwait(false);
            commit();
        }
        return count;
    }

    public static Task<int> WriteAsync<T>(IEnumerable<T> rows, string path, Action<Utf8JsonWriter, T> write, CancellationToken cancellationToken = default) =>
        WriteAsync(rows.ToAsyncEnumerable(), path, write, cancellationToken);

    public static Task WriteTextAsync(string path, string text, CancellationToken cancellationToken = default)
    {
        using var output = AtomicFile.Create(path, out var commit);
        var bytes = Encoding.UTF8.GetBytes(text);
        output.Write(bytes);
        output.Flush();
        commit();
        return Task.CompletedTask;
    }
}
