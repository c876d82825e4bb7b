using System.Text.Json;

namespace Tailmark.Io;

/// <summary>Writes numbers the way people wrote them: whole values as integers, others in shortest round-trip form.</summary>
public static class JsonNumbers
{
    private const double MaxExactInteger = 9007199254740992d; // 2^53

    public static void Write(Utf8JsonWriter writer, double value)
    {
        if (double.IsFinite(value) && Math.Abs(value) < MaxExactInteger && value == Math.Floor(value) &&
            !(value == 0 && double.IsNegative(value)))
        {
            writer.WriteNumberValue((long)value);
        }
        else if (double.IsFinite(value))
        {
            writer.WriteNumberValue(value);
        }
        else
        {
            // JSON has no NaN or infinity; write the name as a string so the value survives and validation names it.
            writer.WriteStringValue(double.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity");
        }
    }

    public static void Write(Utf8JsonWriter writer, string name, double value)
    {
        writer.WritePropertyName(name);
        Write(writer, value);
    }
}
