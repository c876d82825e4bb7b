namespace Tailmark.Sim;

/// <summary>
/// A setting of the simulated server, server-wide and per model: parsed from <c>VALUE</c>,
/// <c>MODEL=VALUE,MODEL=VALUE</c> or both (<c>think,sim-proposer=fenced</c>: everything thinks but the proposer).
/// </summary>
public sealed class SimPerModel<T> where T : struct, Enum
{
    private readonly Dictionary<string, T> _byModel;

    private SimPerModel(T all, Dictionary<string, T> byModel) => (All, _byModel) = (all, byModel);

    /// <summary>The value for models not named.</summary>
    public T All { get; }

    public IReadOnlyDictionary<string, T> ByModel => _byModel;

    public static SimPerModel<T> Uniform(T value) => new(value, []);

    public T For(string model) => _byModel.TryGetValue(model, out var v) ? v : All;

    /// <param name="spec">The option's text; empty means DEFAULTVALUE everywhere.</param>
    /// <param name="option">The option's name, for messages.</param>
    /// <param name="defaultValue">The value where the spec says nothing.</param>
    /// <param name="models">The models the setting applies to.</param>
    /// <exception cref="FormatException">An unknown value or model, naming both and what is allowed.</exception>
    public static SimPerModel<T> Parse(string? spec, string option, T defaultValue, IReadOnlyCollection<string> models)
    {
        var all = defaultValue;
        var byModel = new Dictionary<string, T>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(spec)) return new(all, byModel);
        var seenAll = false;
        foreach (var part in spec.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq < 0)
            {
                if (seenAll) throw new FormatException($"{option}: two server-wide values ('{part}'); name the model for the others, e.g. sim-judge={part}");
                all = Value(part, option);
                seenAll = true;
                continue;
            }
            var model = part[..eq].Trim();
            if (!models.Contains(model)) throw new FormatException($"{option}: '{model}' is not a model it applies to (expected {string.Join(", ", models)})");
            byModel[model] = Value(part[(eq + 1)..].Trim(), option);
        }
        return new(all, byModel);
    }

    /// <summary>The option's name for a value: its enum name in kebab case (ReasoningField → reasoning-field).</summary>
    public static string Name(T value) =>
        string.Concat(value.ToString().Select((c, i) => char.IsUpper(c) ? (i > 0 ? "-" : "") + char.ToLowerInvariant(c) : c.ToString()));

    public static IEnumerable<string> Names => Enum.GetValues<T>().Select(Name);

    private static T Value(string text, string option)
    {
        foreach (var v in Enum.GetValues<T>())
        {
            if (Name(v) == text) return v;
        }
        throw new FormatException($"{option}: unknown value '{text}' (expected {string.Join(", ", Names)})");
    }

    public override string ToString() =>
        string.Join(",", new[] { Name(All) }.Concat(_byModel.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={Name(kv.Value)}")));
}
