using System.Text.Json.Nodes;

namespace Tailmark.Evaluation.Report;

/// <summary>Builds Chart.js configurations (plain JSON, no callbacks) for the few chart shapes the report uses.</summary>
public static class ChartSpec
{
    // A colour-blind-safe palette (Okabe–Ito), cycled.
    private static readonly string[] Palette = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"];

    public static string Color(int index, double alpha = 1)
    {
        var hex = Palette[index % Palette.Length];
        if (alpha >= 1) return hex;
        var r = Convert.ToInt32(hex[1..3], 16);
        var g = Convert.ToInt32(hex[3..5], 16);
        var b = Convert.ToInt32(hex[5..7], 16);
        return FormattableString.Invariant($"rgba({r},{g},{b},{alpha:0.##})");
    }

    /// <summary>A category chart of bars (optionally stacked); mixed-in line datasets are allowed.</summary>
    public static JsonObject Bars(IEnumerable<string> labels, IEnumerable<JsonObject> datasets, string xTitle, string yTitle, bool stacked = false,
        double? yMin = null, double? yMax = null) =>
        new()
        {
            ["type"] = "bar",
            ["data"] = new JsonObject { ["labels"] = Array(labels.Select(l => (JsonNode)l)), ["datasets"] = Array(datasets) },
            ["options"] = Options(Axis(xTitle, stacked, null, null, "category"), Axis(yTitle, stacked, yMin, yMax, "linear")),
        };

    /// <summary>Lines through (x, y) points on linear axes; datasets with <c>yAxisID: "y1"</c> use a right-hand axis.</summary>
    public static JsonObject Lines(IEnumerable<JsonObject> datasets, string xTitle, string yTitle, string? y1Title = null, double? yMin = null,
        double? yMax = null)
    {
        var options = Options(Axis(xTitle, false, null, null, "linear"), Axis(yTitle, false, yMin, yMax, "linear"));
        if (y1Title is not null)
        {
            var y1 = Axis(y1Title, false, null, null, "linear");
            y1["position"] = "right";
            y1["grid"] = new JsonObject { ["drawOnChartArea"] = false };
            ((JsonObject)options["scales"]!)["y1"] = y1;
        }
        return new JsonObject { ["type"] = "scatter", ["data"] = new JsonObject { ["datasets"] = Array(datasets) }, ["options"] = options };
    }

    public static JsonObject BarDataset(string label, IEnumerable<JsonNode?> data, int color, string? stack = null)
    {
        var d = new JsonObject { ["label"] = label, ["data"] = Array(data), ["backgroundColor"] = Color(color, 0.75), ["borderColor"] = Color(color),
            ["borderWidth"] = 1 };
        if (stack is not null) d["stack"] = stack;
        return d;
    }

    public static JsonObject LineDataset(string label, IEnumerable<(double X, double Y)> points, int color, bool dashed = false, string? yAxis = null)
    {
        var d = new JsonObject
        {
            ["label"] = label,
            ["data"] = Array(points.Select(p => (JsonNode)new JsonObject { ["x"] = p.X, ["y"] = p.Y })),
            ["showLine"] = true,
            ["borderColor"] = Color(color),
            ["backgroundColor"] = Color(color),
            ["pointRadius"] = 2,
        };
        if (dashed) d["borderDash"] = new JsonArray(6, 4);
        if (yAxis is not null) d["yAxisID"] = yAxis;
        return d;
    }

    /// <summary>Points only (no line), drawn over a bar chart's categories — the estimate inside an interval bar.</summary>
    public static JsonObject PointDataset(string label, IEnumerable<JsonNode?> data, int color) => new()
    {
        ["type"] = "line",
        ["label"] = label,
        ["data"] = Array(data),
        ["showLine"] = false,
        ["pointRadius"] = 6,
        ["pointStyle"] = "rectRot",
        ["borderColor"] = Color(color),
        ["backgroundColor"] = Color(color),
    };

    private static JsonObject Options(JsonObject x, JsonObject y) => new()
    {
        ["responsive"] = true,
        ["maintainAspectRatio"] = false,
        ["animation"] = false,
        ["plugins"] = new JsonObject { ["legend"] = new JsonObject { ["position"] = "bottom" } },
        ["scales"] = new JsonObject { ["x"] = x, ["y"] = y },
    };

    private static JsonObject Axis(string title, bool stacked, double? min, double? max, string type)
    {
        var axis = new JsonObject { ["type"] = type, ["title"] = new JsonObject { ["display"] = true, ["text"] = title } };
        if (stacked) axis["stacked"] = true;
        if (min is { } lo) axis["min"] = lo;
        if (max is { } hi) axis["max"] = hi;
        return axis;
    }

    private static JsonArray Array(IEnumerable<JsonNode?> items) => new([.. items]);
}
