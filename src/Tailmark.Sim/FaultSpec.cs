namespace Tailmark.Sim;

/// <summary>
/// Fault rates per request, parsed from <c>429=0.2,5xx=0.05,hang=0.02,malformed=0.03,truncate=0.01</c> (plus
/// <c>retry_after_ms=N</c>, the delay a 429 asks for). A fault is decided by hashing the seed, the request's
/// content and how many times that same request has been seen, so a retry can succeed and the same workload
/// meets the same faults.
/// </summary>
public sealed record FaultSpec(double RateLimited, double ServerError, double Hang, double Malformed, double Truncate, int RetryAfterMs)
{
    public static readonly FaultSpec None = new(0, 0, 0, 0, 0, 100);

    public bool Any => RateLimited + ServerError + Hang + Malformed + Truncate > 0;

    public static FaultSpec Parse(string? spec)
    {
        if (string.IsNullOrWhiteSpace(spec) || spec.Trim() == "none") return None;
        var v = SpecParser.Parse(spec, "--faults", ["429", "5xx", "hang", "malformed", "truncate", "retry_after_ms"]);
        var f = new FaultSpec(SpecParser.Rate(v, "429", "--faults"), SpecParser.Rate(v, "5xx", "--faults"), SpecParser.Rate(v, "hang", "--faults"),
            SpecParser.Rate(v, "malformed", "--faults"), SpecParser.Rate(v, "truncate", "--faults"),
            (int)SpecParser.Positive(v, "retry_after_ms", 100, "--faults"));
        if (f.RateLimited + f.ServerError + f.Hang + f.Malformed + f.Truncate > 1) throw new FormatException("--faults: the rates add up to more than 1");
        return f;
    }

    /// <summary>The fault for the given attempt of a request, or null for a clean answer.</summary>
    public FaultKind? Decide(int seed, string requestKey, int attempt)
    {
        if (!Any) return null;
        var u = SimHash.Unit(seed, "fault", requestKey, attempt);
        foreach (var (kind, rate) in new[] { (FaultKind.RateLimited, RateLimited), (FaultKind.ServerError, ServerError), (FaultKind.Hang, Hang),
            (FaultKind.Malformed, Malformed), (FaultKind.Truncate, Truncate) })
        {
            if (u < rate) return kind;
            u -= rate;
        }
        return null;
    }
}
