using System.Text.Json;
using Microsoft.Extensions.AI;
using Tailmark.Io;
using Tailmark.Llm;
using Tailmark.Rubrics;
using Tailmark.Sim.Server;
using Tailmark.Sim;

namespace Tailmark.Tests.Support;

/// <summary>Rubrics, responses and judge clients built from a simulated world, for judging tests.</summary>
public static class SimFixtures
{
    /// <summary>A rubric per task with one criterion per facet (positive facets advised, errors as pitfalls).</summary>
    public static Rubric RubricFor(SimTask task) => new()
    {
        Id = task.Id,
        PromptId = task.Id,
        Prompt = PromptContent.FromText(task.Prompt),
        Criteria = [.. task.Facets.Select(f => new Criterion
        {
            Id = f.Id,
            Text = f.IsError ? $"The response tells the user to {f.Phrase}." : $"The response advises the user to {f.Phrase}.",
            Weight = f.IsError ? -2 : f.Value,
        })],
    };

    public static IEnumerable<ResponseRow> Responses(SimWorld world, int perTask, string model = "sim-good") =>
        world.Tasks.SelectMany(t => Enumerable.Range(0, perTask).Select(i => new ResponseRow(t.Id, $"{model}-{i}",
            SimGenerators.Write(SimGenerators.Find(model)!, t, world.Seed, $"fixture/{i}"), model, JsonMaps.Empty)));

    public static IChatClient Judge(SimServer server, EndpointLimits? limits = null, string model = "sim-judge")
    {
        var spec = new EndpointSpec($"sim:{model}", EndpointKind.Sim, server.BaseUrl, model, null, limits ?? new EndpointLimits(), PriceTable.Free);
        return EndpointClient.Create(spec);
    }

    public static void WriteRubrics(string path, SimWorld world) =>
        File.WriteAllLines(path, world.Tasks.Select(t => RubricJsonWriter.ToJson(RubricFor(t))));

    public static void WriteResponses(string path, IEnumerable<ResponseRow> rows) =>
        File.WriteAllLines(path, rows.Select(r => JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["prompt_id"] = r.PromptId, ["response_id"] = r.ResponseId, ["response"] = r.Response,
        }, TailmarkJsonContext.Default.DictionaryStringString)));

    /// <summary>Rubric and response files for `grade`: the simulated world of TASKS tasks (default seed), PERTASK good responses each.</summary>
    public static (string Rubrics, string Responses) WriteGradeInputs(TempDir dir, int tasks, int perTask)
    {
        var world = new SimWorld(new SimOptions().Seed, tasks);
        var rubrics = dir.File("rubrics.jsonl");
        var responses = dir.File("responses.jsonl");
        WriteRubrics(rubrics, world);
        WriteResponses(responses, Responses(world, perTask));
        return (rubrics, responses);
    }
}
