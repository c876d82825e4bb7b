using System.Text.Json.Nodes;

namespace Tailmark.Evaluation.Report;

/// <summary>One chart of a report: an element id, a caption, and the Chart.js configuration that draws it.</summary>
public sealed record ReportChart(string Id, string Caption, JsonObject Config);
