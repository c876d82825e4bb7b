using Tailmark.Sim;
using Tailmark.Tests.Support;

namespace Tailmark.Tests.Cli;

/// <summary>
/// <c>serve</c>'s audit and online-refinement options refused before the server starts: a rate without a reference judge, a rate
/// outside (0, 1], refinement options without --refine-online, a negative budget.
/// </summary>
[Trait("Tier", "Integration")]
[Collection(nameof(InProcessCliCollection))]
public sealed class ServeAuditOptionsTests
{
    [Theory]
    [InlineData(new[] { "--audit-rate", "0.1" }, "--audit-rate needs --audit-judge")]
    [InlineData(new[] { "--audit-judge", "sim", "--audit-rate", "1.5" }, "--audit-rate must be a share in (0, 1], not 1.5")]
    [InlineData(new[] { "--audit-judge", "sim", "--audit-rate", "0" }, "--audit-rate must be a share in (0, 1], not 0")]
    [InlineData(new[] { "--refine-cooldown", "8" }, "--refine-cooldown is for online refinement: add --refine-online")]
    [InlineData(new[] { "--proposer", "sim" }, "--proposer is for online refinement: add --refine-online")]
    [InlineData(new[] { "--refine-online", "--refine-budget", "-1" }, "--refine-budget must be")]
    public void AuditOptions_OutOfRange_AreUsageErrors(string[] audit, string message)
    {
        using var dir = new TempDir();
        var rubrics = Path.Combine(dir.Path, "rubrics.jsonl");
        SimFixtures.WriteRubrics(rubrics, new SimWorld(3, 2));
        var run = CliInProcess.Run(TimeSpan.FromMinutes(1), ["serve", "--rubrics", rubrics, "--judge", "sim", "--port", "0", .. audit]);
        Assert.Equal(2, run?.ExitCode);
        Assert.Contains(message, run!.Stderr);
    }
}
