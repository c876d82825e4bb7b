using System.Collections.Immutable;

namespace Tailmark.Checks.IfEval;

/// <summary>One IFEval prompt: its key, text, instruction ids and the checks built from their kwargs.</summary>
public sealed record IfEvalItem(string Key, string Prompt, ImmutableArray<string> InstructionIds, ImmutableArray<ICheck> Checks, int Line);
