using System.Collections.Concurrent;
using Tailmark.Io;
using Tailmark.Judging;
using Tailmark.Rubrics;
using Tailmark.Rubrics.Formats;

namespace Tailmark.Grading;

/// <summary>
/// The rubrics of a run and the one layering rule every front applies: an instance rubric is found by its prompt id
/// (the first of a file wins), and the task- and dataset-level rubrics of the file, then the extra layers a command adds
/// (the defense rubric), are layered onto it by <see cref="RubricComposer"/> for the prompt's task and tags
/// (<see cref="PromptTraits"/>). A composition is made once per rubric and traits, and the same object is returned after.
/// </summary>
public sealed class RubricSet
{
    private readonly Dictionary<string, Rubric> _byId = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Rubric> _byPrompt = new(StringComparer.Ordinal);
    private readonly List<Rubric> _instances = [];
    private readonly List<Rubric> _layers = [];
    private readonly ConcurrentDictionary<(Rubric Rubric, string? Task, string Tags), ComposedRubric> _composed = new(new CompositionKeyComparer());

    /// <summary>
    /// The set of RUBRICS (instance rubrics in order, task and dataset rubrics as layers in order) with EXTRALAYERS
    /// layered after the file's own. A rubric id seen twice keeps its first rubric.
    /// </summary>
    public RubricSet(IEnumerable<Rubric> rubrics, IEnumerable<Rubric>? extraLayers = null)
    {
        foreach (var r in rubrics)
        {
            if (!_byId.TryAdd(r.Id, r)) continue;
            if (r.Level == RubricLevel.Instance)
            {
                _instances.Add(r);
                if (r.PromptId is not null) _byPrompt.TryAdd(r.PromptId, r);
            }
            else
            {
                _layers.Add(r);
            }
        }
        _layers.AddRange(extraLayers ?? []);
    }

    /// <summary>No rubrics and no layers: items are graded against the rubric they are given.</summary>
    public static RubricSet Empty { get; } = new([]);

    /// <summary>Loads a rubrics file (any format <c>convert</c> reads; every problem located) and adds EXTRALAYERS.</summary>
    public static async Task<RubricSet> LoadAsync(string path, IEnumerable<Rubric>? extraLayers = null, CancellationToken cancellationToken = default) =>
        new((await RubricLoader.LoadAsync(path, null, cancellationToken).ConfigureAwait(false)).Values, extraLayers);

    /// <summary>The instance rubrics, in the order given.</summary>
    public IReadOnlyList<Rubric> Instances => _instances;

    /// <summary>The layers: the task and dataset rubrics given, then the extra layers.</summary>
    public IReadOnlyList<Rubric> Layers => _layers;

    /// <summary>A rubric of any level by its id.</summary>
    public Rubric? ById(string rubricId) => _byId.GetValueOrDefault(rubricId);

    /// <summary>The instance rubric of a prompt.</summary>
    public Rubric? ForPrompt(string promptId) => _byPrompt.GetValueOrDefault(promptId);

    public bool HasPrompt(string promptId) => _byPrompt.ContainsKey(promptId);

    /// <summary>RUBRIC with the layers that apply to a prompt with TRAITS (the rubric's own <c>applies_to</c> where TRAITS say nothing).</summary>
    public ComposedRubric Compose(Rubric rubric, PromptTraits? traits = null)
    {
        // Without layers there is nothing to compose (and nothing to keep: refined rubrics come and go).
        if (_layers.Count == 0) return new ComposedRubric(rubric, [rubric.Id], []);
        var (task, tags) = (traits ?? PromptTraits.None).Over(rubric);
        return _composed.GetOrAdd((rubric, task, string.Join('\u0001', tags)), _ => RubricComposer.Compose(rubric, _layers, task, tags));
    }

    /// <summary>The item that grades ROW against its prompt's instance rubric with its layers; null when the prompt has no instance rubric.</summary>
    public GradeItem? ItemFor(ResponseRow row) => ForPrompt(row.PromptId) is { } rubric ? ItemFor(rubric, row) : null;

    /// <summary>The item that grades ROW against RUBRIC (an instance rubric, perhaps a refined one not in the set) with its layers.</summary>
    public GradeItem ItemFor(Rubric rubric, ResponseRow row) =>
        new(Compose(rubric, PromptTraits.Of(row.Extra)).Rubric, JudgePrompts.Conversation(rubric.Prompt), row);

    /// <summary>A composition is keyed by the rubric object itself (refined rubrics share ids), the task and the tags.</summary>
    private sealed class CompositionKeyComparer : IEqualityComparer<(Rubric Rubric, string? Task, string Tags)>
    {
        public bool Equals((Rubric Rubric, string? Task, string Tags) x, (Rubric Rubric, string? Task, string Tags) y) =>
            ReferenceEquals(x.Rubric, y.Rubric) && x.Task == y.Task && x.Tags == y.Tags;

        public int GetHashCode((Rubric Rubric, string? Task, string Tags) key) =>
            HashCode.Combine(System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(key.Rubric), key.Task, key.Tags);
    }
}
