namespace Tailmark.Cli.Hosting;

/// <summary>
/// The reward server's bearer token, as <c>serve</c> requires it and <c>monitor</c> sends it: <c>--token</c> (with a
/// warning: the process list shows it), <c>--token-file</c> (its first line) or the <c>TAILMARK_TOKEN</c> variable.
/// </summary>
public static class BearerToken
{
    public static string? Read(string? given, string? file)
    {
        if (given is not null && file is not null) throw new UsageException("give --token or --token-file, not both");
        if (given is not null)
        {
            Console.Error.WriteLine("warning: --token is visible in the process list; prefer --token-file or TAILMARK_TOKEN");
            return given;
        }
        if (file is not null)
        {
            var first = File.ReadLines(file).FirstOrDefault()?.Trim();
            return string.IsNullOrEmpty(first) ? throw new UsageException($"--token-file {file}: the first line is empty") : first;
        }
        return Environment.GetEnvironmentVariable("TAILMARK_TOKEN") is { Length: > 0 } env ? env.Trim() : null;
    }
}
