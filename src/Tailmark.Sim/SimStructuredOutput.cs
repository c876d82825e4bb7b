namespace Tailmark.Sim;

/// <summary>What a simulated model's server does with a request's <c>response_format</c> (docs/sim.md).</summary>
public enum SimStructuredOutput
{
    /// <summary>Ignores it: the model writes in its dialect (a server without constrained decoding, or a gateway that drops it).</summary>
    Ignore,
    /// <summary>Constrains decoding like vLLM or SGLang with a grammar backend: json_schema and json_object give clean JSON
    /// content; a reasoning model still reasons, into the reasoning field (as with a reasoning parser).</summary>
    Honour,
    /// <summary>Refuses json_schema with a 400 that names it; honours json_object (an engine without a schema backend).</summary>
    JsonObjectOnly,
    /// <summary>Refuses any response_format with a 400 that names it.</summary>
    Reject,
}
