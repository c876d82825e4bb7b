using Tailmark.Evaluation;

namespace Tailmark.Tests.Evaluation;

public sealed class DataSelectionTests
{
    [Fact]
    public void Select_KeepsTheCentralBandAndSaysWhyOthersWereDropped()
    {
        // Prompt means 0.1, 0.3, 0.5, 0.7, 0.9 (two responses each); band 0.25–0.75 → percentiles 0.3 and 0.7.
        var scored = new List<(string, double?)>();
        foreach (var (id, mean) in new[] { ("a", 0.1), ("b", 0.3), ("c", 0.5), ("d", 0.7), ("e", 0.9) })
        {
            scored.Add((id, mean - 0.05));
            scored.Add((id, mean + 0.05));
        }
        scored.Add(("f", null));
        var decisions = DataSelection.Select(scored, 0.25, 0.75).ToDictionary(d => d.PromptId);
        Assert.Equal(new[] { "b", "c", "d" }, decisions.Values.Where(d => d.Keep).Select(d => d.PromptId).Order());
        Assert.StartsWith("too hard or noisy", decisions["a"].Reason);
        Assert.StartsWith("too easy", decisions["e"].Reason);
        Assert.Equal("no scored response", decisions["f"].Reason);
        Assert.Equal(0.9, decisions["e"].Mean!.Value, 12);
    }

    [Fact]
    public void Select_BadBand_IsRejected() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => DataSelection.Select([("a", 0.5)], 0.8, 0.2));
}
