namespace Tailmark.Cli;

/// <summary>A combination of options that cannot work together; exit code 2.</summary>
internal sealed class UsageException(string message) : Exception(message);
