using System.Collections.Immutable;
using Tailmark.Checks.Text;
using Tailmark.Io;

namespace Tailmark.Checks.IfEval;

/// <summary>
/// IFEval's two modes. Strict: each check on the response as given. Loose: followed if the check passes on any
/// of the response, the response without its first line, without its last line, without both, and each of
/// these with every "*" removed. An empty (or white-space) response follows nothing.
/// </summary>
public static class IfEvalEvaluator
{
    public static IfEvalResult Strict(IfEvalItem item, string response)
    {
        var nonEmpty = PyText.Strip(response).Length > 0;
        return new IfEvalResult(item, response, [.. item.Checks.Select(c => nonEmpty && c.IsFollowed(response))]);
    }

    public static IfEvalResult Loose(IfEvalItem item, string response) => Loose(Strict(item, response));

    /// <summary>
    /// Loose verdicts from the strict ones: the response itself is the first variant (and strict mode already
    /// skipped it when empty), so a check strict mode found followed is followed, and the others are tried on the
    /// remaining non-empty variants. Identical variants (a response without "*" or with a single line has several)
    /// are checked once.
    /// </summary>
    public static IfEvalResult Loose(IfEvalResult strict)
    {
        // Most responses follow everything strictly: then there is nothing to retry, and the seven variants (a few
        // copies of the response each) are not built.
        if (!strict.Followed.Contains(false)) return new IfEvalResult(strict.Item, strict.Response, strict.Followed);
        var others = LooseVariants(strict.Response)[1..]
            .Where(v => v != strict.Response && PyText.Strip(v).Length > 0).Distinct(StringComparer.Ordinal).ToArray();
        return new IfEvalResult(strict.Item, strict.Response,
            [.. strict.Item.Checks.Select((c, j) => strict.Followed[j] || others.Any(c.IsFollowed))]);
    }

    /// <summary>The eight variants, in IFEval's order (lines split on "\n" only, as Python's split("\n")).</summary>
    public static string[] LooseVariants(string response)
    {
        var lines = response.Split('\n');
        var first = PyText.Strip(string.Join('\n', lines.Skip(1)));
        var last = PyText.Strip(string.Join('\n', lines.Take(lines.Length - 1)));
        var both = PyText.Strip(string.Join('\n', lines.Skip(1).Take(Math.Max(0, lines.Length - 2))));
        return
        [
            response, response.Replace("*", "", StringComparison.Ordinal),
            first, last, both,
            first.Replace("*", "", StringComparison.Ordinal), last.Replace("*", "", StringComparison.Ordinal), both.Replace("*", "", StringComparison.Ordinal),
        ];
    }

    /// <summary>Pairs every item with its response; a prompt without one is an error naming its key and line.</summary>
    public static IReadOnlyList<(IfEvalItem Item, string Response)> Match(
        IReadOnlyList<IfEvalItem> items, IReadOnlyDictionary<string, string> responses, string inputPath, string responsesPath)
    {
        var missing = items.Where(i => !responses.ContainsKey(i.Prompt))
            .Select(i => new InputIssue(IssueSeverity.Error, inputPath, i.Line, "prompt", $"no response for key {i.Key} in {responsesPath}"))
            .ToList();
        if (missing.Count > 0) throw new InputException(missing);
        return [.. items.Select(i => (i, responses[i.Prompt]))];
    }

    public static ImmutableArray<IfEvalResult> Run(IReadOnlyList<(IfEvalItem Item, string Response)> pairs, bool loose) =>
        [.. pairs.Select(p => loose ? Loose(p.Item, p.Response) : Strict(p.Item, p.Response))];

    /// <summary>Both modes over every pair, spread over the machine's cores; results keep the input order.</summary>
    public static (ImmutableArray<IfEvalResult> Strict, ImmutableArray<IfEvalResult> Loose) RunBoth(
        IReadOnlyList<(IfEvalItem Item, string Response)> pairs, CancellationToken cancellationToken = default)
    {
        var strict = new IfEvalResult[pairs.Count];
        var loose = new IfEvalResult[pairs.Count];
        Parallel.For(0, pairs.Count, new ParallelOptions { CancellationToken = cancellationToken }, i =>
        {
            strict[i] = Strict(pairs[i].Item, pairs[i].Response);
            loose[i] = Loose(strict[i]);
        });
        return ([.. strict], [.. loose]);
    }
}
