using System.Globalization;
using System.Text.Json;

namespace Tailmark.Monitoring;

/// <summary>
/// Which rollouts a monitor row counts: a training step (the item's <c>step</c>), or, for items without one, a minute
/// of the clock (UTC, numbered in minutes since 1970) — the same minute on every replica, so windows merge. Steps sort
/// before windows.
/// </summary>
public readonly record struct MonitorStepKey(long Value, bool IsWindow)
{
    public static MonitorStepKey Step(long step) => new(step, false);

    public static MonitorStepKey WindowOf(DateTimeOffset time) => new(time.ToUnixTimeSeconds() / 60, true);

    /// <summary>When a window starts (null for a step).</summary>
    public DateTimeOffset? WindowStart => IsWindow ? DateTimeOffset.FromUnixTimeSeconds(Value * 60) : null;

    /// <summary>Writes the key as the monitor's rows carry it: <c>step</c>, or <c>window</c> and <c>window_start</c>.</summary>
    public void WriteTo(Utf8JsonWriter w)
    {
        if (IsWindow)
        {
            w.WriteNumber("window", Value);
            w.WriteString("window_start", WindowStart!.Value.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
        }
        else
        {
            w.WriteNumber("step", Value);
        }
    }

    /// <summary>Steps first, then windows, each by number.</summary>
    public static readonly IComparer<MonitorStepKey> Order =
        Comparer<MonitorStepKey>.Create((a, b) => a.IsWindow != b.IsWindow ? a.IsWindow.CompareTo(b.IsWindow) : a.Value.CompareTo(b.Value));
}
