namespace Tailmark.Rubrics.Formats;

/// <summary>A rubric file format Tailmark reads and writes (see docs/formats.md).</summary>
public interface IRubricFormat
{
    /// <summary>The name used by <c>--from</c> and <c>--to</c>.</summary>
    string Name { get; }

    string Description { get; }

    /// <summary>Reads every rubric of a file, one row at a time, with each row's issues.</summary>
    IAsyncEnumerable<RubricRow> ReadAsync(string path, CancellationToken cancellationToken = default);

    /// <summary>Writes rubrics; returns warnings about information the format cannot hold.</summary>
    Task<IReadOnlyList<string>> WriteAsync(IAsyncEnumerable<Rubric> rubrics, string path, CancellationToken cancellationToken = default);
}
