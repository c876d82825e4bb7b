namespace Tailmark.Cli.Hosting;

/// <summary>A reward-server replica's base URL given on the command line: absolute http or https, else a usage error naming the option.</summary>
public static class ReplicaUrl
{
    public static Func<string, Uri> Parse(string option) => text =>
        Uri.TryCreate(text, UriKind.Absolute, out var url) && url.Scheme is "http" or "https"
            ? url
            : throw new UsageException($"{option} must be a replica's http(s) base URL such as http://10.0.0.5:8000/, not '{text}'");
}
