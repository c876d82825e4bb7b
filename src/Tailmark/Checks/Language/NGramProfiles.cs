using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace Tailmark.Checks.Language;

/// <summary>
/// The character n-gram statistics of langdetect 1.0.9 — the detector IFEval's reference calls — for its 55
/// languages, with the normalisation tables its n-grams were counted under. Packed by
/// <c>Data/build-profiles.py</c> into an embedded resource that loads without parsing (about 2 MB; see the
/// script for the layout). Loaded once, on first use.
/// </summary>
internal sealed class NGramProfiles
{
    private const string ResourceName = "Tailmark.Language.langdetect-profiles.bin";
    private static readonly Lazy<NGramProfiles> Loaded = new(Load);

    private readonly NGramIndex _index;
    private readonly uint[] _entries;       // language << 25 | count, one per (n-gram, language that counted it)
    private readonly double[] _totals;      // language * 3 + (n - 1): how many n-grams of length n the profile counted
    private readonly ushort[] _hanFrom;     // Han character classes: _hanFrom[i] stands for _hanTo[i]
    private readonly ushort[] _hanTo;

    private NGramProfiles(string[] languages, NGramIndex index, uint[] entries, double[] totals, ushort[] hanFrom, ushort[] hanTo, string vietnameseBases, string vietnameseMarks,
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

    /// <summary>The key of an n-gram of 1 to 3 BMP characters; 0 (no key) when a character lies beyond the BMP.</summary>
    public static ulong Key(ReadOnlySpan<int> gram)
    {
        var key = (ulong)gram.Length << 48;
        for (var i = 0; i < gram.Length; i++)
        {
            if (gram[i] > 0xFFFF) return 0;
            key |= (ulong)gram[i] << (16 * i);
        }
        return key;
    }

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
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        var reader = new Reader(bytes);
        if (!bytes.AsSpan(0, 4).SequenceEqual("TMLD"u8) || BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(4)) != 1)
            throw new InvalidDataException($"{ResourceName}: not a version-1 profile file; rebuild it with Data/build-profiles.py.");
        reader.Skip(8);

        var languages = new string[reader.U32()];
        for (var i = 0; i < languages.Length; i++) languages[i] = Encoding.ASCII.GetString(reader.Bytes(reader.U8()));
        var totals = Array.ConvertAll(reader.Array<long>(languages.Length * 3), n => (double)n);

        var keys = reader.Array<ulong>((int)reader.U32());
        var offsets = reader.Array<uint>(keys.Length + 1);
        var entries = (int)reader.U32();
        var entryLanguage = reader.Bytes(entries).ToArray();
        var entryCount = reader.Array<uint>(entries);
        var packed = new uint[entries];
        for (var e = 0; e < entries; e++)
        {
            if (entryCount[e] > 0x1FF_FFFF || entryLanguage[e] > 0x7F) throw new InvalidDataException($"{ResourceName}: entry {e} does not fit 32 bits.");
            packed[e] = (uint)entryLanguage[e] << 25 | entryCount[e];
        }

        var han = (int)reader.U32();
        var hanPairs = reader.Array<ushort>(han * 2);
        var hanFrom = new ushort[han];
        var hanTo = new ushort[han];
        for (var i = 0; i < han; i++)
        {
            hanFrom[i] = hanPairs[2 * i];
            hanTo[i] = hanPairs[2 * i + 1];
        }

        var bases = reader.String();
        var marks = reader.String();
        var combined = new string[marks.Length];
        for (var i = 0; i < combined.Length; i++) combined[i] = reader.String();
        var latin1 = reader.String();
        return new NGramProfiles(languages, new NGramIndex(keys, offsets), packed, totals, hanFrom, hanTo,
            bases, marks, combined, latin1);
    }

    /// <summary>Little-endian reads over the resource's bytes.</summary>
    private ref struct Reader(byte[] bytes)
    {
        private int _at;

        public void Skip(int count) => _at += count;

        public byte U8() => bytes[_at++];

        public uint U32()
        {
            var value = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(_at));
            _at += 4;
            return value;
        }

        public ReadOnlySpan<byte> Bytes(int count)
        {
            var span = bytes.AsSpan(_at, count);
            _at += count;
            return span;
        }

        public T[] Array<T>(int count) where T : unmanaged
        {
            // The file is little-endian, as is every platform .NET runs on here.
            return MemoryMarshal.Cast<byte, T>(Bytes(count * System.Runtime.CompilerServices.Unsafe.SizeOf<T>())).ToArray();
        }

        public string String()
        {
            var length = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(_at));
            _at += 2;
            return Encoding.Unicode.GetString(Bytes(length * 2));
        }
    }
}
