using System.Reflection;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Tailmark.Tests.Support;

namespace Tailmark.Tests.Architecture;

/// <summary>
/// Dependencies docs/ARCHITECTURE.md promises: the library and the reward server that users deploy do not carry the
/// simulated world, and the rubric model does not depend on its formats.
/// </summary>
public sealed partial class DependencyTests
{
    private const string Sim = "Tailmark.Sim";

    [Theory]
    [InlineData("src/Tailmark/Tailmark.csproj", false)]
    [InlineData("src/Tailmark.Server/Tailmark.Server.csproj", false)]
    [InlineData("src/Tailmark.Cli/Tailmark.Cli.csproj", true)] // the check can see a reference where there is one
    public void ProjectReferencesToTheSim(string project, bool expected)
    {
        var references = XDocument.Load(Path.Combine(TestPaths.RepoRoot, project)).Descendants("ProjectReference")
            .Select(r => Path.GetFileNameWithoutExtension((string)r.Attribute("Include")!));
        Assert.Equal(expected, references.Contains(Sim));
    }

    [Fact]
    public void Assemblies_LibraryAndServer_ReferenceNoSim()
    {
        static IEnumerable<string> Referenced(Assembly a) => a.GetReferencedAssemblies().Select(n => n.Name!);
        var library = typeof(Tailmark.Rubrics.Rubric).Assembly;
        var server = typeof(Tailmark.Server.Reward.RewardServer).Assembly;
        Assert.DoesNotContain(Sim, Referenced(library));
        Assert.DoesNotContain(Sim, Referenced(server));
        Assert.Contains(library.GetName().Name!, Referenced(server));
        // No type of the sim's namespaces is compiled into them either.
        Assert.DoesNotContain(library.GetTypes().Concat(server.GetTypes()), t => t.Namespace?.StartsWith(Sim, StringComparison.Ordinal) == true);
        Assert.Equal(Sim, typeof(Tailmark.Sim.SimWorld).Assembly.GetName().Name);
        Assert.Contains(Sim, Referenced(typeof(Tailmark.Cli.CliRoot).Assembly));
    }

    [Fact]
    public void RubricModel_NamesNothingOfItsFormats()
    {
        var rubrics = Path.Combine(TestPaths.RepoRoot, "src", "Tailmark", "Rubrics");
        // Every type the formats declare, and their namespace.
        var formatTypes = Directory.GetFiles(Path.Combine(rubrics, "Formats"), "*.cs")
            .SelectMany(f => Declared().Matches(File.ReadAllText(f)).Select(m => m.Groups[1].Value)).ToHashSet(StringComparer.Ordinal);
        Assert.Contains("IRubricFormat", formatTypes);
        Assert.Contains("RubricLoader", formatTypes);
        var model = Directory.GetFiles(rubrics, "*.cs", SearchOption.TopDirectoryOnly);
        Assert.NotEmpty(model);
        foreach (var file in model)
        {
            var text = File.ReadAllText(file);
            Assert.DoesNotContain("Rubrics.Formats", text, StringComparison.Ordinal);
            var named = Word().Matches(text).Select(m => m.Value).Where(formatTypes.Contains).Distinct().ToList();
            Assert.True(named.Count == 0, $"{Path.GetFileName(file)} names {string.Join(", ", named)} of Rubrics/Formats");
        }
    }

    [GeneratedRegex(@"\b(?:class|record|interface|struct|enum)\s+([A-Z]\w*)")]
    private static partial Regex Declared();

    [GeneratedRegex(@"\b[A-Z]\w*\b")]
    private static partial Regex Word();
}
