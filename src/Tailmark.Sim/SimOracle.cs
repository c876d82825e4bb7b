namespace Tailmark.Sim;

/// <summary>
/// The simulated oracle (<c>sim-oracle</c>): pairwise preference by gold reward, with the configured noise.
/// Reads <c>&lt;conversation&gt;</c> (or <c>&lt;prompt&gt;</c>), <c>&lt;response_a&gt;</c> and <c>&lt;response_b&gt;</c>; answers
/// <c>{"preferred": "a" | "b", "reason"}</c>.
/// </summary>
public sealed class SimOracle(SimWorld world, SimOptions options)
{
    public string Respond(SimRequest request, int choice)
    {
        var sections = SimSections.All(request.Text);
        var prompt = SimSections.First(sections, "conversation") ?? SimSections.First(sections, "prompt") ?? "";
        var a = SimSections.First(sections, "response_a") ?? "";
        var b = SimSections.First(sections, "response_b") ?? "";
        var task = world.FindTask(prompt);
        var goldA = task is null ? 0 : SimWorld.Gold(task, a);
        var goldB = task is null ? 0 : SimWorld.Gold(task, b);
        var preferA = goldA > goldB || (goldA.Equals(goldB) && SimHash.Unit(world.Seed, "oracle-tie", a, b) < 0.5);
        if (SimHash.Unit(world.Seed, "oracle-noise", a, b, request.Seed, choice) < options.OracleNoise) preferA = !preferA;
        return $"{{\"preferred\": \"{(preferA ? "a" : "b")}\", \"reason\": \"Response {(preferA ? "A" : "B")} covers more of what matters.\"}}";
    }
}
