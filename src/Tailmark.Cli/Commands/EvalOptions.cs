using System.CommandLine;
using Tailmark.Cli.Hosting;
using Tailmark.Judging;
using Tailmark.Rubrics.Formats;
using Tailmark.Rubrics;

namespace Tailmark.Cli.Commands;

/// <summary>
/// The options shared by the commands that grade a pool with instance rubrics (<c>eval bon</c>, <c>eval pairs</c>,
/// <c>select</c>): <c>--rubrics</c>, <c>--judge</c>, <c>--scoring</c>, <c>--cache</c> and the endpoint options (the
/// endpoints file, the in-process simulated world), with the loading and grader set-up they imply.
/// </summary>
internal sealed class EvalOptions(string rubricsDescription)
{
    public Option<string> Rubrics { get; } = new("--rubrics", "-r") { Description = rubricsDescription, Required = true };
    public Option<string> Judge { get; } = new("--judge", "-j") { Description = "Judge endpoint spec.", DefaultValueFactory = _ => "sim" };
    public Option<string?> Scoring { get; } = new("--scoring", "-s") { Description = "Scoring preset or file." };
    public Option<string> Cache { get; } = CacheOption.Create();
    public EndpointOptions Endpoint { get; } = new();

    public void AddTo(Command command)
    {
        command.Options.Add(Rubrics);
        command.Options.Add(Judge);
        command.Options.Add(Scoring);
        command.Options.Add(Cache);
        Endpoint.AddTo(command);
    }

    /// <summary>The instance rubrics of <c>--rubrics</c>, by prompt id.</summary>
    public async Task<Dictionary<string, Rubric>> InstanceRubricsAsync(ParseResult parse, CancellationToken ct) =>
        (await RubricLoader.LoadAsync(parse.GetValue(Rubrics)!, null, ct)).Values
            .Where(r => r.Level == RubricLevel.Instance && r.PromptId is not null).ToDictionary(r => r.PromptId!);

    /// <summary>Starts the endpoints (the simulated world in process for sim specs) and opens the grader over them.</summary>
    public async Task<Opened> OpenAsync(ParseResult parse, JudgeOptions judge, CancellationToken ct)
    {
        var endpoints = Endpoint.Open(parse);
        try
        {
            return new Opened(endpoints, await Graders.OpenAsync(endpoints, parse.GetValue(Judge)!, parse.GetValue(Cache)!, judge, parse.GetValue(Scoring), ct));
        }
        catch
        {
            await endpoints.DisposeAsync();
            throw;
        }
    }

    /// <summary>Endpoints and the grader over them, released together.</summary>
    internal sealed class Opened(Endpoints endpoints, Graders graders) : IAsyncDisposable
    {
        public ResponseGrader Grader => graders.Grader;

        public async ValueTask DisposeAsync()
        {
            graders.Dispose();
            await endpoints.DisposeAsync();
        }
    }
}
