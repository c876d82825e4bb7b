using System.Buffers;
using System.Text.Json;
using System.Text.Unicode;
using Microsoft.AspNetCore.Http;
using Tailmark.Server.Reward.Wire;

namespace Tailmark.Server.Reward;

/// <summary>
/// Reads a request body as JSON, strictly: over the size limit is 413; bytes that are not UTF-8 are a 400 naming
/// the offset (never silently replaced); malformed JSON and nesting deeper than <see cref="MaxDepth"/> are a 400 with
/// the line and byte. The body is read whole (within the limit) so that every check sees all of it.
/// </summary>
public static class RequestJson
{
    public const int MaxDepth = 64;

    public static async Task<JsonDocument> ReadAsync(HttpRequest request, long maxBytes, CancellationToken ct)
    {
        if (request.ContentLength > maxBytes) throw TooLarge(maxBytes);
        var buffer = new ArrayBufferWriter<byte>((int)Math.Min(request.ContentLength ?? 16 * 1024, maxBytes) + 1);
        try
        {
            while (true)
            {
                var memory = buffer.GetMemory(64 * 1024);
                var read = await request.Body.ReadAsync(memory, ct).ConfigureAwait(false);
                if (read == 0) break;
                buffer.Advance(read);
                if (buffer.WrittenCount > maxBytes) throw TooLarge(maxBytes);
            }
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == 413)
        {
            throw TooLarge(maxBytes);
        }
        var bytes = buffer.WrittenMemory;
        if (!Utf8.IsValid(bytes.Span)) throw new HttpProblem(400, $"the body is not valid UTF-8 (first bad byte at offset {InvalidAt(bytes.Span)})", "body");
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = MaxDepth });
        }
        catch (JsonException ex)
        {
            var what = bytes.Length == 0 ? "the body is empty" : ex.Message.Split(" Path:")[0].Split(" LineNumber:")[0].TrimEnd('.');
            throw new HttpProblem(400, $"malformed JSON at line {(ex.LineNumber ?? 0) + 1}, byte {(ex.BytePositionInLine ?? 0) + 1}: {what}", "body");
        }
        try
        {
            CheckStrings(doc.RootElement, "");
            return doc;
        }
        catch
        {
            doc.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Every string and property name must be text: an escaped lone surrogate (<c>"\ud800"</c>) is well-formed JSON but
    /// no string, and would fail wherever it is read. A 400 naming its path instead.
    /// </summary>
    private static void CheckStrings(JsonElement e, string path)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.String:
                if (!Readable(e)) throw new HttpProblem(400, $"{Path(path)}: not text (an escaped unpaired surrogate)", Path(path));
                break;
            case JsonValueKind.Array:
                var i = 0;
                foreach (var item in e.EnumerateArray()) CheckStrings(item, $"{path}[{i++}]");
                break;
            case JsonValueKind.Object:
                foreach (var property in e.EnumerateObject())
                {
                    string name;
                    try
                    {
                        name = property.Name;
                    }
                    catch (InvalidOperationException)
                    {
                        throw new HttpProblem(400, $"{Path(path)}: a property name is not text (an escaped unpaired surrogate)", Path(path));
                    }
                    CheckStrings(property.Value, path.Length == 0 ? name : $"{path}.{name}");
                }
                break;
        }
    }

    private static string Path(string path) => path.Length == 0 ? "body" : path;

    private static bool Readable(JsonElement e)
    {
        try
        {
            _ = e.GetString();
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static HttpProblem TooLarge(long maxBytes) =>
        new(413, $"the body is larger than {maxBytes / (1024.0 * 1024):0.#} MiB (raise serve's --max-body-mb)", "body");

    private static int InvalidAt(ReadOnlySpan<byte> bytes)
    {
        Span<char> chars = stackalloc char[4096];
        var offset = 0;
        while (true)
        {
            var status = Utf8.ToUtf16(bytes[offset..], chars, out var read, out _, replaceInvalidSequences: false);
            offset += read;
            if (status != OperationStatus.DestinationTooSmall) return offset;
        }
    }
}
