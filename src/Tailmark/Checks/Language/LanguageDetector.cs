using System.Runtime.CompilerServices;
using System.Numerics;

namespace Tailmark.Checks.Language;

/// <summary>
/// Names the language of a text the way langdetect 1.0.9 does — the detector IFEval's reference implementation
/// calls — so that the English and response-language checks agree with the reference on any text, not only on
/// clear prose. Same n-gram statistics (<see cref="NGramProfiles"/>, 55 languages), same text clean-up, same
/// n-grams (<see cref="NGramWindow"/>), same estimate: seven runs of a naive Bayes update over n-grams drawn at
/// random from the text, each with a smoothing constant drawn around 0.5, averaged; the most probable language
/// is the answer when its probability exceeds 0.1. langdetect draws from an unseeded generator, so on a borderline
/// text its answer changes from run to run; ours is seeded, always the same, and on such a text the most frequent
/// of several runs — the likeliest answer of a single langdetect call. See docs/checks.md.
/// </summary>
public static class LanguageDetector
{
    /// <summary>langdetect's answer when no language reaches the probability threshold.</summary>
    public const string Unknown = "unknown";

    private const int Trials = 7;
    private const double Alpha = 0.5;
    private const double AlphaWidth = 0.05;
    private const double BaseFrequency = 10_000;
    private const int IterationLimit = 1_000;
    private const double ConvergenceThreshold = 0.99999;
    private const double ProbabilityThreshold = 0.1;
    private const int Seed = 20231107;

    /// <summary>
    /// A run whose seven trials mostly agree (the winner's averaged probability at least this) is taken as the
    /// answer; below it the text is borderline and up to <see cref="BorderlineRuns"/> runs vote (agreement with
    /// langdetect: LanguageDetectorReferenceTests, docs/checks.md).
    /// </summary>
    private const double Confident = 0.9;

    private const int BorderlineRuns = 9;

    /// <summary>
    /// The language code ("en", "fr", "zh-cn", ...), <see cref="Unknown"/>, or null when the text yields no
    /// n-gram any profile knows (langdetect then raises an error, and IFEval counts the check as followed).
    /// </summary>
    public static string? Detect(string text)
    {
        var workspace = DetectorWorkspace.ForNewText(NGramProfiles.Shared);
        DetectorText.Read(text, workspace);
        if (!workspace.AnyKnown()) return null;
        var first = Run(workspace, Seed, out var agreement);
        if (agreement >= Confident) return Name(first, workspace);

        // A borderline text: langdetect's answer is a random draw, whose likeliest value is the most frequent
        // answer over many runs. Estimate it from up to nine (ties go to the answer seen first), stopping as soon
        // as the leader can no longer be caught — the same answer nine runs would give.
        Span<int> votes = stackalloc int[workspace.Languages + 1]; // by language index; the last counts Unknown
        Span<int> order = stackalloc int[BorderlineRuns];
        var answers = 0;
        votes[order[answers++] = first]++;
        for (var run = 1; run < BorderlineRuns && !Decided(votes, BorderlineRuns - run); run++)
        {
            var answer = Run(workspace, Seed + run, out _);
            if (votes[answer]++ == 0) order[answers++] = answer;
        }
        var best = first;
        foreach (var answer in order[..answers])
        {
            if (votes[answer] > votes[best]) best = answer;
        }
        return Name(best, workspace);
    }

    /// <summary>
    /// Loads the profiles and compiles the detector's hot code (tens of milliseconds), so that a short command can have this
    /// done on another thread while it reads its input.
    /// </summary>
    public static void WarmUp() => Detect("Warm-up text in English, so that every step runs once.");

    /// <summary>Whether the leading answer stays ahead of every other whatever the <paramref name="remaining"/> runs say.</summary>
    private static bool Decided(ReadOnlySpan<int> votes, int remaining)
    {
        int first = 0, second = 0;
        foreach (var v in votes)
        {
            if (v > first) (first, second) = (v, first);
            else if (v > second) second = v;
        }
        return first > second + remaining;
    }

    private static string Name(int answer, DetectorWorkspace workspace) =>
        answer < workspace.Languages ? workspace.Profiles.Languages[answer] : Unknown;

    /// <summary>
    /// One langdetect estimate: the index of the most probable language, or the language count (Unknown) when
    /// none passes the threshold; <paramref name="agreement"/> is the winner's averaged probability.
    /// </summary>
    private static int Run(DetectorWorkspace workspace, int seed, out double agreement)
    {
        Estimate(workspace, seed);
        var average = workspace.Average;
        var best = 0;
        for (var i = 1; i < average.Length; i++)
        {
            if (average[i] > average[best]) best = i;
        }
        agreement = average[best];
        return average[best] > ProbabilityThreshold ? best : workspace.Languages;
    }

    /// <summary>
    /// The averaged language probabilities of <see cref="Trials"/> sampled naive Bayes trials. This and the other
    /// hot methods of the detector are compiled fully optimised at once: under the JIT (ReadyToRun cannot precompile
    /// their vector code, not knowing the machine's vector width) a short command such as <c>check ifeval</c> would
    /// otherwise spend its first tenth of a second in unoptimised code before tiering replaces it. Native AOT compiles
    /// them ahead for a fixed width; the results are the same either way (see <see cref="Normalize"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Estimate(DetectorWorkspace workspace, int seed)
    {
        var random = new SplitMix64((ulong)seed);
        var probability = workspace.Probability;
        var average = workspace.Average;
        Array.Clear(average);
        for (var trial = 0; trial < Trials; trial++)
        {
            Array.Fill(probability, 1.0 / probability.Length);
            var weight = (Alpha + Gaussian(ref random) * AlphaWidth) / BaseFrequency;
            for (var i = 0; ; i++)
            {
                workspace.Update(workspace.Draw(ref random), weight);
                if (i % 5 == 0 && (Normalize(probability) > ConvergenceThreshold || i >= IterationLimit)) break;
            }
            for (var l = 0; l < average.Length; l++) average[l] += probability[l] / Trials;
        }
    }

    /// <summary>Scales the probabilities to sum to one and returns the largest (vector arithmetic: 55 divisions every fifth step add up).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double Normalize(double[] probability)
    {
        Span<double> p = probability;
        var width = Vector<double>.Count;
        var whole = Vector.IsHardwareAccelerated ? p.Length - p.Length % width : 0;
        // The sum in order, as langdetect's sum(prob): a sum in vector lanes would round differently with each vector
        // width (the JIT uses the machine's, Native AOT a fixed one), and so could end a trial at another step.
        // Division and maximum are exact element by element, so they stay vectors.
        var sum = 0.0;
        foreach (var x in p) sum += x;

        var divisor = new Vector<double>(sum);
        var maxima = Vector<double>.Zero;
        for (var i = 0; i < whole; i += width)
        {
            var scaled = new Vector<double>(p[i..]) / divisor;
            scaled.CopyTo(p[i..]);
            maxima = Vector.Max(maxima, scaled);
        }
        var max = 0.0;
        for (var i = 0; i < width && whole > 0; i++) max = Math.Max(max, maxima[i]);
        for (var i = whole; i < p.Length; i++)
        {
            p[i] /= sum;
            max = Math.Max(max, p[i]);
        }
        return max;
    }

    /// <summary>A standard normal draw (Box–Muller).</summary>
    private static double Gaussian(ref SplitMix64 random)
    {
        var u = 1.0 - random.NextDouble();
        var v = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u)) * Math.Cos(2.0 * Math.PI * v);
    }
}
