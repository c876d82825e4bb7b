using Microsoft.Extensions.AI;

namespace Tailmark.Llm;

/// <summary>
/// Stops a batch job against an endpoint that cannot do it: once <c>stopAfter</c> calls have failed and none has
/// succeeded — a server that rejects every call (a model it does not serve, a parameter it refuses) — or
/// <c>stopAfter</c> answers have been unusable and none usable (<see cref="NoteAnswer"/>: a server that answers every call
/// with text nothing can be read from), calls throw <see cref="EndpointUnusableException"/> instead of failing one by
/// one. With no limit (the reward server) it never stops, and the answers are still counted for its health.
/// </summary>
public sealed class FailFastChatClient(IChatClient inner, EndpointSpec spec, UsageMeter meter, int? stopAfter) : DelegatingChatClient(inner)
{
    // The latest failure's and unusable answer's descriptions, for the message that stops a job (kept only with a limit).
    private volatile string? _lastFailure;
    private volatile string? _lastUnusable;

    /// <summary>The limit, or null: never stop.</summary>
    public int? StopAfter => stopAfter;

    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ThrowIfUnusable(null);
        try
        {
            return await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        }
        catch (LlmCallException ex)
        {
            if (stopAfter is not null) _lastFailure = ex.Problem ?? ex.Message;
            ThrowIfUnusable(ex);
            throw;
        }
    }

    /// <summary>
    /// Records whether the answer to one question — after the caller's repair turn and fresh attempt — could be used
    /// (a verdict, a rubric read from it). An unusable answer counts towards the limit and in
    /// <see cref="Usage.UnusableAnswers"/>; DESCRIPTION (clipped answer text, and what went wrong) goes into the message
    /// that stops the job.
    /// </summary>
    /// <exception cref="EndpointUnusableException">The endpoint has given only unusable answers, as many as the limit.</exception>
    public void NoteAnswer(bool usable, string? description = null)
    {
        meter.Answer(usable);
        if (usable) return;
        if (stopAfter is not null) _lastUnusable = description;
        ThrowIfUnusable(null);
    }

    private void ThrowIfUnusable(Exception? inner)
    {
        if (stopAfter is not { } limit) return;
        if (meter.FailuresWithoutAnyCall is var failed && failed >= limit)
        {
            throw new EndpointUnusableException($"{spec.Name}: the first {failed} calls all failed and none succeeded (the last: {_lastFailure}); stopped — " +
                $"fix the endpoint and rerun", inner);
        }
        if (meter.UnusableWithoutAnyUsable is var unusable && unusable >= limit)
        {
            throw new EndpointUnusableException($"{spec.Name}: the first {unusable} answers could not be used and none could (the last: {_lastUnusable}); " +
                "stopped — the endpoint answers, but not in a form Tailmark can read. Try structured_output: json_schema or json_object for it " +
                "(endpoints file, or --structured-output), and for a reasoning model a reasoning allowance (reasoning_tokens, or --reasoning-tokens) " +
                "and the server's reasoning parser (docs/llm.md lists the flags each engine needs)", inner);
        }
    }
}
