namespace Tailmark.Llm;

public enum EndpointKind
{
    /// <summary>The simulated world, started in process on a free loopback port by the command that needs it.</summary>
    Sim,
    /// <summary>OpenAI (OPENAI_API_KEY; OPENAI_BASE_URL overrides the URL).</summary>
    OpenAi,
    /// <summary>Any OpenAI-compatible server (vLLM, SGLang, llama.cpp server, Ollama) at a URL.</summary>
    Http,
}
