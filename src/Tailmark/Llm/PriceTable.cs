namespace Tailmark.Llm;

/// <summary>Prices in US dollars per million tokens; cached prompt tokens have their own price.</summary>
public sealed record PriceTable(double PromptPerMillion, double CachedPromptPerMillion, double CompletionPerMillion)
{
    public static readonly PriceTable Free = new(0, 0, 0);

    public double Cost(long promptTokens, long cachedTokens, long completionTokens) =>
        ((promptTokens - cachedTokens) * PromptPerMillion + cachedTokens * CachedPromptPerMillion + completionTokens * CompletionPerMillion) / 1e6;
}
