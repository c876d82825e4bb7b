using System.Globalization;

namespace Tailmark.Server.Reward;

/// <summary>
/// What a trainer protocol that needs a number (OpenRLHF, slime) receives for an ungraded item: an HTTP error for the
/// request (<c>error</c>), or a fixed reward that is always flagged as ungraded beside it (<c>reward:X</c>).
/// </summary>
public sealed record UngradedPolicy(bool IsError, double Reward)
{
    public static readonly UngradedPolicy Error = new(true, 0);

    public static UngradedPolicy Fixed(double reward) =>
        double.IsFinite(reward) ? new(false, reward) : throw new ArgumentOutOfRangeException(nameof(reward), reward, "a finite number");

    /// <summary>Parses <c>error</c>, <c>reward:X</c> or a bare number.</summary>
    public static UngradedPolicy Parse(string text)
    {
        var t = text.Trim();
        if (t.Equals("error", StringComparison.OrdinalIgnoreCase)) return Error;
        var number = t.StartsWith("reward:", StringComparison.OrdinalIgnoreCase) ? t["reward:".Length..] : t;
        if (double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value)) return Fixed(value);
        throw new FormatException($"'{text}' is not 'error' or 'reward:X' with a finite number X");
    }

    public override string ToString() => IsError ? "error" : $"reward:{Reward.ToString(CultureInfo.InvariantCulture)}";
}
