using System.CommandLine;
using Tailmark.Cli.Hosting;
using Tailmark.Grading;
using Tailmark.Judging;
using Tailmark.Rubrics.Formats;
using Tailmark.Rubrics;

namespace Tailmark.Cli.Commands;

/// <summary>
/// The options shared by the commands that grade a pool with instance rubrics (<c>eval bon</c>, <c>eval pairs</c>,
/// <c>select</c>): <c>--rubrics</c>, <c>--judge</c>, <c>--scoring</c>, <c>--cache</c>, <c>--defense</c> and the endpoint
/// options (the endpoints file, the in-process simulated world), with the loading and grader set-up they imply.
/// </summary>
internal sealed class EvalOptions(string rubricsDescription)
{
    public Option<string> Rubrics { get; } = new("--rubrics", "-r") { Description = rubricsDescription, Required = true };
    public Option<string> Judge { get; } = new("--judge", "-j") { Description = "Judge endpoint spec.", DefaultValueFactory = _ => "sim" };
    public Option<string?> Scoring { get; } = new("--scoring", "-s") { Description = "Scoring preset or file." };
    public Option<string> Cache { get; } = CacheOption.Create();
    public Option<string> Defense { get; } = DefenseLayer.Option();
    public EndpointOptions Endpoint { get; } = new();

    public void AddTo(Command command)
    {
        command.Options.Add(Rubrics);
        command.Options.Add(Judge);
        command.Options.Add(Scoring);
        command.Options.Add(Cache);
        command.Options.Add(Defense);
        Endpoint.AddTo(command);
    }

    /// <summary>The rubrics of <c>--rubrics</c> with their layers (the file's task and dataset rubrics, then <c>--defense</c>).</summary>
    public Task<RubricSet> RubricsAsync(ParseResult parse, CancellationToken ct) =>
        RubricSet.LoadAsync(parse.GetValue(Rubrics)!, DefenseLayer.Rubrics(parse.GetValue(Defense)!), ct);

    /// <summary>Starts the endpoints (the simulated world in process for sim specs) and opens the grader over them.</summary>
    public async Task<Opened> OpenAsync(ParseResult parse, JudgeOptions judge, CancellationToken ct)
    {
        var endpoints = Endpoint.Open(parse);
        try
        {
            return new Opened(endpoints,
                await Graders.OpenAsync(endpoints, parse.GetValue(Judge)!, parse.GetValue(Cache)!, judge, parse.GetValue(Scoring), ct));
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
        public BatchGrader Batch => graders.Batch;

        public async ValueTask DisposeAsync()
        {
            graders.Dispose();
            await endpoints.DisposeAsync();
        }
    }
}
