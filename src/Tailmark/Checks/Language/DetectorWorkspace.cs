using System.Runtime.CompilerServices;
using System.Numerics;

namespace Tailmark.Checks.Language;

/// <summary>
/// Everything identifying one text needs beyond the profiles, kept per thread and reused from text to text so
/// that a check allocates nothing: the cleaned text as code points, its candidate n-grams, the language
/// probabilities, and P(n-gram | language) as dense vectors for the n-grams drawn so far — built on an n-gram's
/// first draw and reused by every later draw, trial, run and text, so that a naive Bayes step is one pass of
/// vector arithmetic. A generation stamp per n-gram says whether its vector is current, so dropping them all when
/// the space is full clears nothing.
/// <para>
/// langdetect draws uniformly among the n-grams of the text that some profile counted. Looking every candidate
/// up first is most of the cost on a long text (a hash probe each, mostly cache misses), and a few hundred draws
/// need only a few hundred of them: so a draw picks a candidate uniformly and looks it up (once, remembered), and
/// draws again when no profile has it — uniform among the counted n-grams all the same. If most candidates turn
/// out unknown (a script the profiles barely cover), every candidate is looked up once and draws come from the
/// known ones.
/// </para>
/// </summary>
internal sealed class DetectorWorkspace
{
    [ThreadStatic] private static DetectorWorkspace? _forThread;

    /// <summary>
    /// How many n-gram vectors a thread keeps (55 doubles each, 1.8 MB in all). They stay from text to text —
    /// a language's common n-grams come back in every text — and are all dropped together when the space is full.
    /// </summary>
    private const int MaxVectors = 4096;

    private readonly int[] _stamp;
    private readonly int[] _slot;
    private readonly double[] _vectors;
    private int _generation = 1;
    private int _used;

    private DetectorWorkspace(NGramProfiles profiles)
    {
        Profiles = profiles;
        Languages = profiles.Languages.Length;
        _stamp = new int[profiles.Capacity];
        // Neither is read before it is written (a slot only under a current stamp, a vector only once filled), so
        // neither is cleared: the pages a short run never uses are never touched, nor copied by growing.
        _slot = GC.AllocateUninitializedArray<int>(profiles.Capacity);
        _vectors = GC.AllocateUninitializedArray<double>(Languages * MaxVectors);
        Probability = new double[Languages];
        Average = new double[Languages];
    }

    public NGramProfiles Profiles { get; }

    public int Languages { get; }

    /// <summary>The cleaned text, as code points: the first <see cref="TextLength"/> items.</summary>
    public int[] Text { get; private set; } = new int[1024];

    public int TextLength { get; set; }

    private const int Unresolved = -2;
    private ulong[] _candidates = new ulong[4096];
    private int[] _resolved = new int[4096];     // per candidate: Unresolved, -1 (no profile has it) or its position
    private int[] _known = new int[4096];        // positions of the known candidates, once all are resolved
    private int _candidateCount;
    private int _knownCount = -1;                 // -1 until every candidate is resolved
    private int _accepted;
    private int _rejected;

    /// <summary>One trial's language probabilities.</summary>
    public double[] Probability { get; }

    /// <summary>The trials' average.</summary>
    public double[] Average { get; }

    /// <summary>This thread's workspace, emptied for a new text.</summary>
    public static DetectorWorkspace ForNewText(NGramProfiles profiles)
    {
        var workspace = _forThread;
        if (workspace is null || workspace.Profiles != profiles) _forThread = workspace = new DetectorWorkspace(profiles);
        workspace.TextLength = 0;
        workspace._candidateCount = 0;
        workspace._knownCount = -1;
        workspace._accepted = workspace._rejected = 0;
        return workspace;
    }

    /// <summary>Room for at least <paramref name="count"/> code points of cleaned text (set <see cref="TextLength"/> after).</summary>
    public Span<int> TextSpace(int count)
    {
        if (Text.Length < count) Text = new int[Math.Max(count, Text.Length * 2)];
        return Text.AsSpan(0, count);
    }

    /// <summary>Room for at least <paramref name="count"/> candidate keys; <see cref="SetCandidateCount"/> after.</summary>
    public Span<ulong> CandidateSpace(int count)
    {
        if (_candidates.Length < count)
        {
            var size = Math.Max(count, _candidates.Length * 2);
            _candidates = new ulong[size];
            _resolved = new int[size];
            _known = new int[size];
        }
        return _candidates.AsSpan(0, count);
    }

    public void SetCandidateCount(int count) => _candidateCount = count;

    /// <summary>Whether any candidate is known to a profile (langdetect has "no features" otherwise).</summary>
    public bool AnyKnown()
    {
        Array.Fill(_resolved, Unresolved, 0, _candidateCount);
        for (var c = 0; c < _candidateCount; c++)
        {
            if (Resolve(c) >= 0) return true;
        }
        return false;
    }

    /// <summary>The profile position of an n-gram drawn uniformly among the text's known n-grams.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int Draw(ref SplitMix64 random)
    {
        if (_knownCount >= 0) return _known[random.Next(_knownCount)];
        while (true)
        {
            var position = Resolve(random.Next(_candidateCount));
            if (position >= 0)
            {
                _accepted++;
                return position;
            }
            if (++_rejected > 64 && _rejected > 4 * _accepted)
            {
                ResolveAll();
                return _known[random.Next(_knownCount)];
            }
        }
    }

    private int Resolve(int candidate)
    {
        var position = _resolved[candidate];
        if (position == Unresolved) _resolved[candidate] = position = Profiles.Find(_candidates[candidate]);
        return position;
    }

    private void ResolveAll()
    {
        _knownCount = 0;
        for (var c = 0; c < _candidateCount; c++)
        {
            var position = Resolve(c);
            if (position >= 0) _known[_knownCount++] = position;
        }
    }

    /// <summary>Multiplies each language's probability by <paramref name="smoothing"/> + P(gram | language).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Update(int gram, double smoothing)
    {
        var given = VectorOf(gram);
        Span<double> probability = Probability;
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var add = new Vector<double>(smoothing);
            for (; i <= probability.Length - Vector<double>.Count; i += Vector<double>.Count)
            {
                (new Vector<double>(probability[i..]) * (add + new Vector<double>(given[i..]))).CopyTo(probability[i..]);
            }
        }
        for (; i < probability.Length; i++) probability[i] *= smoothing + given[i];
    }

    private ReadOnlySpan<double> VectorOf(int gram)
    {
        if (_stamp[gram] != _generation)
        {
            if (_used == MaxVectors)
            {
                // After 2^32 generations the stamps would match again: then they are cleared, so a slot is never read
                // unwritten.
                if (++_generation == 0)
                {
                    Array.Clear(_stamp);
                    _generation = 1;
                }
                _used = 0;
            }
            _stamp[gram] = _generation;
            _slot[gram] = _used++;
            Profiles.Probabilities(gram, _vectors.AsSpan(_slot[gram] * Languages, Languages));
        }
        return _vectors.AsSpan(_slot[gram] * Languages, Languages);
    }
}
