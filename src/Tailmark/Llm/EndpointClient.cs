using System.ClientModel;
using System.ClientModel.Primitives;
using Microsoft.Extensions.AI;
using OpenAI;
using ChatClient = OpenAI.Chat.ChatClient;

namespace Tailmark.Llm;

/// <summary>
/// Builds the <see cref="IChatClient"/> of one endpoint as a pipeline (Microsoft.Extensions.AI's
/// <see cref="ChatClientBuilder"/>), outermost first:
/// <list type="number">
/// <item>OpenTelemetry (<see cref="ActivitySourceName"/>: a <c>gen_ai</c> span per call and the token-usage and duration histograms);</item>
/// <item>logging, when a logger factory is given;</item>
/// <item><see cref="FailFastChatClient"/>: an endpoint whose first calls all fail, or whose first answers are all unusable, stops a batch job;</item>
/// <item><see cref="UsageChatClient"/>: calls, tokens, failures and cost (<see cref="UsageMeter"/>);</item>
/// <item><see cref="ResilienceChatClient"/>: one Polly pipeline of concurrency, rate limits, retries and per-attempt timeouts;</item>
/// <item><see cref="StructuredOutputChatClient"/>: json_schema, json_object or no response format, with <c>auto</c>'s fallback;</item>
/// <item><see cref="OpenAiExtrasChatClient"/>: what the OpenAI adapter leaves out (log probabilities, the <c>reasoning</c>
/// field, free-text <c>reasoning_effort</c>, the reasoning allowance);</item>
/// <item>with several replicas, <see cref="ReplicaRouterChatClient"/>: affinity, spill-over and ejection, one adapter per replica;</item>
/// <item>Microsoft.Extensions.AI.OpenAI's adapter over the official OpenAI SDK's <see cref="ChatClient"/> (its own retries off).</item>
/// </list>
/// </summary>
public static class EndpointClient
{
    /// <summary>The name of the OpenTelemetry activity source and meter of every endpoint's calls.</summary>
    public const string ActivitySourceName = "Tailmark.Llm";

    public static IChatClient Create(EndpointSpec spec, EndpointClientOptions? options = null) =>
        Create(spec, Transport(spec, options ?? EndpointClientOptions.Default), options);

    // One SDK client, or with several replicas one per replica under the router (ReplicaRouterChatClient).
    private static IChatClient Transport(EndpointSpec spec, EndpointClientOptions options) => spec.Replicas.Count > 1
        ? new ReplicaRouterChatClient(spec, [.. spec.Replicas.Select(url => (url, Sdk(spec.WithBaseUrl(url)).AsIChatClient()))], options.TimeProvider)
        : Sdk(spec).AsIChatClient();

    /// <summary>
    /// Our stages over another transport: an in-process model, or a provider's own <see cref="IChatClient"/>. The stages
    /// are the same; the OpenAI extras stage only reads what an OpenAI SDK answer carries, so it passes others through.
    /// </summary>
    public static IChatClient Create(EndpointSpec spec, IChatClient transport, EndpointClientOptions? options = null)
    {
        options ??= EndpointClientOptions.Default;
        var meter = new UsageMeter(spec.Prices);
        var builder = new ChatClientBuilder(transport)
            .UseOpenTelemetry(options.LoggerFactory, ActivitySourceName);
        if (options.LoggerFactory is not null) builder.UseLogging(options.LoggerFactory);
        return builder
            .Use(inner => new FailFastChatClient(inner, spec, meter, options.FailFastAfter))
            .Use(inner => new UsageChatClient(inner, meter))
            .Use(inner => new ResilienceChatClient(inner, spec, meter, options.TimeProvider, options.LoggerFactory))
            .Use(inner => new StructuredOutputChatClient(inner, spec, options.Notice))
            .Use(inner => new OpenAiExtrasChatClient(inner, spec))
            .Build();
    }

    private static ChatClient Sdk(EndpointSpec spec)
    {
        var options = new OpenAIClientOptions
        {
            Endpoint = spec.BaseUrl ?? throw new ArgumentException("the endpoint has no URL", nameof(spec)),
            // Retries belong to the resilience stage, so that they are bounded, counted and honour Retry-After.
            RetryPolicy = new ClientRetryPolicy(0),
            // The per-attempt timeout is enforced by the resilience stage; this is only a backstop.
            NetworkTimeout = spec.Limits.Timeout + TimeSpan.FromSeconds(30),
        };
        options.AddPolicy(ReasoningFieldProbe.Instance, PipelinePosition.PerCall);
        return new ChatClient(spec.Model, new ApiKeyCredential(string.IsNullOrEmpty(spec.ApiKey) ? "not-needed" : spec.ApiKey), options);
    }
}
