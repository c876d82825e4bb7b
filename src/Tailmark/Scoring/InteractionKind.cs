namespace Tailmark.Scoring;

public enum InteractionKind
{
    /// <summary>Extra credit when both criteria are met; the weight also joins the normalizer.</summary>
    Synergy,
    /// <summary>A penalty when both criteria are met.</summary>
    Conflict,
}
