namespace Tailmark.Evaluation.Report;

/// <summary>
/// One section of a report: a heading, a paragraph that says what the numbers mean and where they came from, then
/// its charts and tables. <paramref name="Details"/> are collapsible tables (one per prompt, say) shown after the rest.
/// </summary>
public sealed record ReportSection(
    string Title,
    string Description,
    IReadOnlyList<ReportChart> Charts,
    IReadOnlyList<ReportTable> Tables,
    IReadOnlyList<ReportTable>? Details = null);
