namespace Tailmark.Evaluation.Report;

/// <summary>A plain table of a report (text cells, escaped when rendered).</summary>
public sealed record ReportTable(string Caption, IReadOnlyList<string> Columns, IReadOnlyList<IReadOnlyList<string>> Rows);
