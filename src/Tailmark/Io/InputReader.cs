using System.Text;

namespace Tailmark.Io;

/// <summary>
/// A UTF-8 text reader over an input file (a byte-order mark may choose another encoding) that counts the invalid
/// byte sequences it replaced by U+FFFD, so that readers can warn instead of accepting them silently. Any it did not
/// attribute to a line by the time it is disposed are reported for the whole file.
/// </summary>
public sealed class InputReader : StreamReader
{
    private readonly CountingFallback _fallback;
    private readonly string _file;
    private int _reported;

    // A UTF-16 or UTF-32 byte-order mark (PowerShell's redirection writes UTF-16) lets the reader switch encoding; a
    // UTF-8 one is skipped as the encoding's preamble, keeping the counting decoder.
    private InputReader(Stream stream, string file, CountingFallback fallback)
        : base(stream, Encoding.GetEncoding("utf-8", EncoderFallback.ReplacementFallback, fallback),
            detectEncodingFromByteOrderMarks: !StartsWithUtf8Bom(stream), bufferSize: 1 << 16)
    {
        _fallback = fallback;
        _file = file;
    }

    /// <summary>Opens <paramref name="path"/>; "-" means standard input.</summary>
    public static InputReader Open(string path)
    {
        if (path == "-") return new InputReader(Console.OpenStandardInput(), "-", new CountingFallback());
        if (!File.Exists(path)) throw new InputException(path, null, null, Directory.Exists(path) ? "a folder, not a file" : "file not found");
        var stream = new FileStream(path, new FileStreamOptions { BufferSize = 1 << 16, Options = FileOptions.SequentialScan });
        return new InputReader(stream, path, new CountingFallback());
    }

    private static bool StartsWithUtf8Bom(Stream stream)
    {
        if (!stream.CanSeek) return false;
        Span<byte> head = stackalloc byte[3];
        var n = stream.ReadAtLeast(head, 3, throwOnEndOfStream: false);
        stream.Position = 0;
        return n == 3 && head[0] == 0xEF && head[1] == 0xBB && head[2] == 0xBF;
    }

    /// <summary>Invalid UTF-8 sequences replaced so far.</summary>
    public int InvalidSequences => _fallback.Count;

    /// <summary>Warns about a line that holds a replacement character while invalid bytes were seen.</summary>
    public void WarnIfReplaced(string text, int line)
    {
        if (_fallback.Count == _reported || !text.Contains('\uFFFD', StringComparison.Ordinal)) return;
        _reported = _fallback.Count;
        InputWarnings.Report(_file, line, null, "invalid UTF-8 bytes were read as U+FFFD (\uFFFD); save the file as UTF-8");
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && _fallback.Count > _reported)
        {
            InputWarnings.Report(_file, null, null,
                $"{_fallback.Count - _reported} invalid UTF-8 sequence(s) were read as U+FFFD (\uFFFD); save the file as UTF-8");
            _reported = _fallback.Count;
        }
        base.Dispose(disposing);
    }

    /// <summary>Replaces each invalid sequence by U+FFFD, as the default decoder does, and counts it.</summary>
    private sealed class CountingFallback : DecoderFallback
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public override int MaxCharCount => 1;

        public override DecoderFallbackBuffer CreateFallbackBuffer() => new Buffer(this);

        private sealed class Buffer(CountingFallback owner) : DecoderFallbackBuffer
        {
            private bool _pending;

            public override int Remaining => _pending ? 1 : 0;

            public override bool Fallback(byte[] bytesUnknown, int index)
            {
                Interlocked.Increment(ref owner._count);
                _pending = true;
                return true;
            }

            public override char GetNextChar()
            {
                if (!_pending) return '\0';
                _pending = false;
                return '\uFFFD';
            }

            public override bool MovePrevious() => false;

            public override void Reset() => _pending = false;
        }
    }
}
