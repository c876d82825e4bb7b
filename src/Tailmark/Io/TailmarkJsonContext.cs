using System.Text.Json.Serialization;

namespace Tailmark.Io;

/// <summary>Source-generated System.Text.Json metadata for the simple values Tailmark serializes directly.</summary>
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(double))]
[JsonSerializable(typeof(Dictionary<string, string>))]
public sealed partial class TailmarkJsonContext : JsonSerializerContext;
