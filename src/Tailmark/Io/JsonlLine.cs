using System.Text.Json;

namespace Tailmark.Io;

/// <summary>One non-blank line of a JSONL file: its 1-based line number and its parsed JSON, or the parse error.</summary>
public sealed record JsonlLine(int Number, JsonElement? Json, string? ParseError);
