namespace Tailmark.Llm;

/// <summary>
/// What an endpoint is asked for when a caller wants JSON of a given schema (docs/llm.md, "Structured outputs").
/// </summary>
public enum StructuredOutputMode
{
    /// <summary>The schema (<c>response_format</c> of type <c>json_schema</c>); on an error that names the response format,
    /// <c>json_object</c>, then plain text — each step once, remembered for the run and said once on standard error.</summary>
    Auto,
    /// <summary>Always the schema; an endpoint that refuses it fails its calls.</summary>
    JsonSchema,
    /// <summary>JSON mode (<c>json_object</c>): any JSON object; the schema is described by the prompt alone.</summary>
    JsonObject,
    /// <summary>No <c>response_format</c> at all: the answer is read from plain text.</summary>
    None,
}
