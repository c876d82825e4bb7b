using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace Tailmark.Checks.Language;

/// <summary>
/// The character n-gram statistics of langdetect 1.0.9 — the detector IFEval's reference calls — for its 55
/// languages, with the normalisation tables its n-grams were counted under. Packed by
/// <c>Data/build-profiles.py</c> into an embedded resource that loads without parsing (1.8 MB; see the
/// script for the layout). Loaded once, on first use. An n-gram is known by its packed key: its UTF-16 code
/// units c0 | c1 &lt;&lt; 16 | c2 &lt;&lt; 32 | length &lt;&lt; 48 (every profile character lies in the BMP);
/// <see cref="NGramWindow"/> builds the keys of a text.
/// </summary>
internal sealed class NGramProfiles
{
    private const string ResourceName = "Tailmark.Language.langdetect-profiles.bin";
    private const uint Version = 2;
    private static readonly Lazy<NGramProfiles> Loaded = new(Load);

    private readonly NGramIndex _index;
    private readonly uint[] _entries;       // language << 25 | count, one per (n-gram, language that counted it)
    private readonly double[] _totals;      // language * 3 + (n - 1): how many n-grams of length n the profile counted
    private readonly ushort[] _hanFrom;     // Han character classes: _hanFrom[i] stands for _hanTo[i]
    private readonly ushort[] _hanTo;

    private NGramProfiles(string[] languages, NGramIndex index, uint[] entries, double[] totals, ushort[] hanFrom, ushort[] hanTo, string vietnameseBases,
        string vietnameseMarks,
        string[] vietnameseCombined, string latin1AsSpace)
    {
        Languages = languages;
        _index = index;
        _entries = entries;
        _totals = totals;
        _hanFrom = hanFrom;
        _hanTo = hanTo;
        VietnameseBases = vietnameseBases;
        VietnameseMarks = vietnameseMarks;
        VietnameseCombined = vietnameseCombined;
        Latin1AsSpace = latin1AsSpace;
    }

    public static NGramProfiles Shared => Loaded.Value;

    /// <summary>Language codes as langdetect names them ("en", "zh-cn", ...), in profile order.</summary>
    public string[] Languages { get; }

    /// <summary>Letters that a following Vietnamese tone mark combines with.</summary>
    public string VietnameseBases { get; }

    /// <summary>The five combining tone marks (U+0300, U+0301, U+0303, U+0309, U+0323).</summary>
    public string VietnameseMarks { get; }

    /// <summary>Per mark, the combined letters, indexed like <see cref="VietnameseBases"/>.</summary>
    public string[] VietnameseCombined { get; }

    /// <summary>Latin-1 characters read as a space (no-break space, guillemets, degree sign).</summary>
    public string Latin1AsSpace { get; }

    /// <summary>The position of an n-gram some language's profile counted, or -1.</summary>
    public int Find(ulong key) => _index.Find(key);

    /// <summary>Positions run from 0 to Capacity - 1 (not all of them hold an n-gram).</summary>
    public int Capacity => _index.Capacity;

    /// <summary>Writes P(n-gram | language) for every language (0 where a profile lacks the n-gram).</summary>
    public void Probabilities(int position, Span<double> into)
    {
        into.Clear();
        var (length, first, count) = _index.At(position);
        foreach (var entry in _entries.AsSpan(first, count))
        {
            var language = (int)(entry >> 25);
            into[language] = (entry & 0x1FF_FFFF) / _totals[language * 3 + length - 1];
        }
    }

    /// <summary>The representative of a CJK ideograph's class (profiles count classes, not single ideographs).</summary>
    public int HanClass(int codePoint)
    {
        var i = Array.BinarySearch(_hanFrom, (ushort)codePoint);
        return i >= 0 ? _hanTo[i] : codePoint;
    }

    private static NGramProfiles Load()
    {
        using var stream = typeof(NGramProfiles).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The language profiles ({ResourceName}) are missing from the assembly.");
        // Read straight into the arrays the detector uses: no intermediate copy of the 1.8 MB.
        var reader = new Reader(stream);
        if (!reader.Bytes(4).AsSpan().SequenceEqual("TMLD"u8) || reader.U32() != Version)
            throw new InvalidDataException($"{ResourceName}: not a version-{Version} profile file; rebuild it with Data/build-profiles.py.");

        var languages = new string[reader.U32()];
        for (var i = 0; i < languages.Length; i++) languages[i] = Encoding.ASCII.GetString(reader.Bytes(reader.Bytes(1)[0]));
        var totals = Array.ConvertAll(reader.Array<long>(languages.Length * 3), n => (double)n);
        var keys = reader.Array<ulong>((int)reader.U32());
        var offsets = reader.Array<uint>(keys.Length + 1);
        var entries = reader.Array<uint>((int)reader.U32());
        var han = (int)reader.U32();
        var hanFrom = reader.Array<ushort>(han);
        var hanTo = reader.Array<ushort>(han);
        var bases = reader.String();
        var marks = reader.String();
        var combined = new string[marks.Length];
        for (var i = 0; i < combined.Length; i++) combined[i] = reader.String();
        var latin1 = reader.String();
        return new NGramProfiles(languages, new NGramIndex(keys, offsets), entries, totals, hanFrom, hanTo,
            bases, marks, combined, latin1);
    }

    /// <summary>Little-endian reads from the resource (the layout is in Data/build-profiles.py).</summary>
    private sealed class Reader(Stream stream)
    {
        public byte[] Bytes(int count)
        {
            var bytes = new byte[count];
            stream.ReadExactly(bytes);
            return bytes;
        }

        public uint U32() => BinaryPrimitives.ReadUInt32LittleEndian(Bytes(4));

        /// <summary>Reads <paramref name="count"/> items directly into a new array (the file is little-endian, as is every platform .NET runs on
        /// here).</summary>
        public T[] Array<T>(int count) where T : unmanaged
        {
            var items = new T[count];
            stream.ReadExactly(MemoryMarshal.AsBytes(items.AsSpan()));
            return items;
        }

        public string String() => new(Array<char>(BinaryPrimitives.ReadUInt16LittleEndian(Bytes(2))));
    }
}
